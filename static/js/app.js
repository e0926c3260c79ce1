// Agent UI behaviour: live notifications over the agent WebSocket, and macro insertion.
// No inline scripts (CSP script-src 'self'); data comes from data- attributes.
(function () {
  "use strict";

  function toast(text, href) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement(href ? "a" : "div");
    el.className = "toast";
    el.textContent = text;
    if (href) el.href = href;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }

  function bump() {
    var counter = document.getElementById("unread");
    if (!counter) return;
    counter.textContent = String(Number(counter.textContent || "0") + 1);
    counter.parentElement.classList.add("has-unread");
  }

  function notifyBrowser(text) {
    if (!document.hidden || !("Notification" in window)) return;
    if (Notification.permission === "granted") new Notification("Helpdesk", { body: text });
  }

  // Who else has this ticket open (collision detection): user id -> {name, state}.
  var viewers = {};

  function showViewers() {
    var box = document.getElementById("viewers");
    if (!box) return;
    var names = Object.keys(viewers).map(function (id) {
      var v = viewers[id];
      return v.name + (v.state === "typing" ? " (typing a reply…)" : "");
    });
    box.textContent = names.length ? "Also on this ticket: " + names.join(", ") : "";
    box.hidden = !names.length;
    box.classList.toggle("typing", Object.keys(viewers).some(function (id) { return viewers[id].state === "typing"; }));
  }

  function onViewer(event) {
    if (event.state === "left") delete viewers[event.user];
    else viewers[event.user] = { name: event.name, state: event.state === "here" ? (viewers[event.user] || {}).state || "viewing" : event.state };
    showViewers();
  }

  // Pages follow what happens without a reload: the queue's rows and a ticket's timeline are
  // fetched again (htmx), at most every two seconds however many events arrive.
  var refreshTimer = null;
  function refreshSoon(ticketId) {
    if (refreshTimer || !window.htmx) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      var url = location.pathname + location.search;
      if (document.getElementById("queue-rows")) {
        htmx.ajax("GET", url, { target: "#queue-rows", swap: "innerHTML" });
      } else if (ticketId && document.querySelector(".timeline")) {
        htmx.ajax("GET", url, { target: ".timeline", select: ".timeline", swap: "outerHTML" });
      }
    }, 2000);
  }

  function connect(bell, delay) {
    if (!("WebSocket" in window)) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + location.host + bell.dataset.wsPath);
    } catch (e) {
      return;
    }
    socket.onopen = function () {
      delay = 1000;
      bell.classList.add("live");
      if (bell.dataset.watch) socket.send(JSON.stringify({ watch: Number(bell.dataset.watch) }));
    };
    bell.socket = socket;
    socket.onmessage = function (msg) {
      var event = JSON.parse(msg.data);
      if (event.type === "ticket.viewer") return onViewer(event);
      refreshSoon(bell.dataset.watch && Number(bell.dataset.watch) === event.ticket ? event.ticket : null);
      bump();
      // A summary of many tickets (a mass SLA breach) has no ticket: it links to the queue.
      var href = event.ticket ? "/tickets/" + event.ticket + "/" : "/tickets/";
      toast(event.summary || ("Ticket #" + event.ticket + " changed"), href);
      notifyBrowser(event.summary || "");
    };
    socket.onclose = function (e) {
      bell.classList.remove("live");
      viewers = {};
      showViewers();
      if (e.code === 4403) return; // not allowed: do not retry
      // Reconnect with backoff; a server without WebSockets just keeps the page static.
      setTimeout(function () { connect(bell, Math.min(delay * 2, 60000)); }, delay);
    };
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0, end = textarea.selectionEnd || 0;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.focus();
  }

  // Remote images in customer mail load only when the agent asks (they tell the sender it was read).
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-show-images]");
    if (!button) return;
    var message = document.getElementById(button.getAttribute("data-show-images"));
    message.querySelectorAll("img[data-remote-src]").forEach(function (img) {
      img.src = img.getAttribute("data-remote-src");
      img.removeAttribute("data-remote-src");
    });
    button.remove();
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-macro-url]");
    if (button) {
      fetch(button.dataset.macroUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (text) { insertAtCursor(document.getElementById("id_text"), text); })
        .catch(function () { toast("Could not load the macro."); });
    }
    if (e.target.closest("#notifications")) {
      var counter = document.getElementById("unread");
      counter.textContent = "0";
      counter.parentElement.classList.remove("has-unread");
      if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    }
  });

  // Typing in the reply box tells the ticket's other viewers; it stops after 4 s without a key.
  var typingTimer = null;
  function sendTyping(state) {
    var bell = document.getElementById("notifications");
    if (!bell || !bell.dataset.watch || !bell.socket || bell.socket.readyState !== 1) return;
    bell.socket.send(JSON.stringify({ typing: Number(bell.dataset.watch), state: state }));
  }
  document.addEventListener("input", function (e) {
    if (e.target.id !== "id_text") return;
    if (!typingTimer) sendTyping(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingTimer = null; sendTyping(false); }, 4000);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.getElementById("notifications");
    if (bell) connect(bell, 1000);
  });
})();
