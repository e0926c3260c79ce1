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
    socket.onmessage = function (msg) {
      var event = JSON.parse(msg.data);
      bump();
      // A summary of many tickets (a mass SLA breach) has no ticket: it links to the queue.
      var href = event.ticket ? "/tickets/" + event.ticket + "/" : "/tickets/";
      toast(event.summary || ("Ticket #" + event.ticket + " changed"), href);
      notifyBrowser(event.summary || "");
    };
    socket.onclose = function (e) {
      bell.classList.remove("live");
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

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.getElementById("notifications");
    if (bell) connect(bell, 1000);
  });
})();
