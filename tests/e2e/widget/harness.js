// Scripted fake helpdesk for widget.js: every frame the widget sends is recorded, server frames are
// pushed by hand. Result: window.harnessResult = {passed, failed: [...]}, also printed in #out.
(function () {
  'use strict';
  var HELPDESK = 'https://help.example.test';
  var SITE = 'harness';
  var out = document.getElementById('out');
  var lines = [];
  var failed = [];
  function check(cond, what) {
    lines.push((cond ? 'ok   ' : 'FAIL ') + what);
    if (!cond) failed.push(what);
  }
  function sleep(ms) {
    return new Promise(function (r) { setTimeout(r, ms); });
  }
  async function until(fn, what, ms) {
    var end = Date.now() + (ms || 3000);
    while (Date.now() < end) {
      if (fn()) return true;
      await sleep(20);
    }
    check(false, 'timed out: ' + what);
    return false;
  }

  localStorage.clear();
  localStorage.setItem('helpdesk-chat:' + SITE, 'old-token');

  // fake fetch (session)
  var sessions = [];
  window.fetch = function (url, opts) {
    sessions.push({ url: url, body: JSON.parse(opts.body) });
    return Promise.resolve({ ok: true, status: 200, json: function () {
      return Promise.resolve({ token: 'tok-1', visitor: 'v_1', config: {
        title: 'Harness', greeting: 'Hi', colour: '#ffee00', position: 'left', language: 'xx',
        prechat: 'off', online: true, max_upload_bytes: 1000 } });
    } });
  };

  // fake WebSocket
  var sockets = [];
  function FakeSocket(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    sockets.push(this);
    var self = this;
    setTimeout(function () {
      self.readyState = 1;
      self.onopen && self.onopen({});
    }, 10);
  }
  FakeSocket.prototype.send = function (data) {
    this.sent.push(JSON.parse(data));
  };
  FakeSocket.prototype.close = function () {};
  FakeSocket.prototype.push = function (frame) {
    this.onmessage && this.onmessage({ data: JSON.stringify(frame) });
  };
  FakeSocket.prototype.drop = function (code) {
    this.readyState = 3;
    this.onclose && this.onclose({ code: code || 1006 });
  };
  window.WebSocket = FakeSocket;

  // fake XHR (upload): records only
  var uploads = [];
  window.XMLHttpRequest = function () {
    this.upload = {};
    this.headers = {};
  };
  window.XMLHttpRequest.prototype.open = function (m, u) { this.url = u; };
  window.XMLHttpRequest.prototype.setRequestHeader = function (k, v) { this.headers[k] = v; };
  window.XMLHttpRequest.prototype.send = function (body) { uploads.push(this); };

  var s = document.createElement('script');
  s.src = '../../../static/widget/widget.js';
  s.setAttribute('data-site', SITE);
  s.setAttribute('data-helpdesk', HELPDESK);
  document.body.appendChild(s);

  function root() {
    var host = document.querySelector('helpdesk-chat');
    return host && host.shadowRoot;
  }
  function q(sel) {
    return root().querySelector(sel);
  }
  function qa(sel) {
    return Array.prototype.slice.call(root().querySelectorAll(sel));
  }
  function type(text) {
    var ta = q('textarea');
    ta.value = text;
    ta.dispatchEvent(new Event('input'));
    q('form.comp').dispatchEvent(new Event('submit', { cancelable: true }));
  }
  function last(sock, type) {
    return sock.sent.filter(function (f) { return f.type === type; }).pop();
  }

  async function run() {
    await until(function () { return root() && q('.launcher'); }, 'widget built');
    check(sessions.length === 1 && sessions[0].url === HELPDESK + '/chat/harness/session/', 'session POST url');
    check(sessions[0].body.token === 'old-token', 'stored token sent');
    check(localStorage.getItem('helpdesk-chat:' + SITE) === 'tok-1', 'new token stored');
    check(q('.launcher').getAttribute('aria-label') === 'Open chat', 'unknown language falls back to en');
    check(q('.w').classList.contains('left'), 'position from config');
    check(getComputedStyle(q('.head')).color === 'rgb(17, 20, 24)', 'dark text on a light colour');
    check(sockets.length === 0, 'no socket before opening');

    q('.launcher').click();
    await until(function () { return sockets.length === 1 && sockets[0].sent.length; }, 'socket opened');
    var a = sockets[0];
    check(a.url === 'wss://help.example.test/ws/chat/harness/?token=tok-1', 'socket url');
    check(a.sent[0].type === 'resume' && a.sent[0].after === 0, 'resume after 0 first');
    a.push({ type: 'status', state: 'waiting', agent: null, text: '' });

    type('hello');
    var m = last(a, 'message');
    check(m && m.text === 'hello' && /^c_[0-9a-f]{32}$/.test(m.id), 'message frame with client id');
    check(qa('.row.pending').length === 1, 'shown as sending');
    check(JSON.parse(localStorage.getItem('helpdesk-chat:harness:state')).outbox.length === 1, 'unacked kept in localStorage');
    a.push({ type: 'ack', id: m.id, seq: 10 });
    check(qa('.row.pending').length === 0 && q('[data-seq="10"]'), 'ack marks sent');
    a.push({ type: 'message', seq: 10, from: 'visitor', author: null, text: 'hello', at: null, attachments: [], id: m.id });
    a.push({ type: 'message', seq: 11, from: 'agent', author: 'Ann', text: '<b>x</b>', at: '2024-01-01T10:00:00Z',
      attachments: [{ name: 'a.pdf', url: '/media/a.pdf', size: 5 }, { name: 'b.pdf', url: 'https://evil.test/b.pdf', size: 5 },
        { name: 'c', url: 'javascript:alert(1)', size: 1 }], id: null });
    a.push({ type: 'message', seq: 11, from: 'agent', author: 'Ann', text: 'dup', at: null, attachments: [], id: null });
    check(qa('[data-seq]').length === 2, 'each seq rendered once');
    check(!q('b') && q('[data-seq="11"] .bubble').textContent.indexOf('<b>x</b>') >= 0, 'text never parsed as HTML');
    var links = qa('[data-seq="11"] a').map(function (l) { return l.href; });
    check(links.length === 1 && links[0] === HELPDESK + '/media/a.pdf', 'only helpdesk-origin attachment links');
    await sleep(50);
    check(last(a, 'read') && last(a, 'read').seq === 11, 'read sent while open and visible');
    a.push({ type: 'read', seq: 10 });
    check(q('[data-seq="10"] .seen'), 'Seen under own message');
    a.push({ type: 'typing', state: true, author: 'Ann' });
    check(!q('.typing').hidden && q('.typing').textContent === 'Ann is typing…', 'agent typing line');
    a.push({ type: 'typing', state: false, author: 'Ann' });
    check(q('.typing').hidden, 'typing line hidden');

    // drop: unacked message resent after resume, same id, resume after last seq
    type('while away');
    var pendingId = last(a, 'message').id;
    a.drop(1006);
    type('typed offline');
    await until(function () { return sockets.length === 2 && sockets[1].sent.length >= 3; }, 'reconnected', 4000);
    var b = sockets[1];
    check(b.sent[0].type === 'resume' && b.sent[0].after === 11, 'resume after last seq on reconnect');
    var resent = b.sent.filter(function (f) { return f.type === 'message'; }).map(function (f) { return f.id; });
    check(resent[0] === pendingId && resent.length === 2, 'outbox resent with the same ids, in order');
    // closed window: badge, no read
    q('.launcher').click();
    var reads = b.sent.filter(function (f) { return f.type === 'read'; }).length;
    b.push({ type: 'message', seq: 12, from: 'agent', author: 'Ann', text: 'still there?', at: null, attachments: [], id: null });
    check(!q('.badge').hidden && q('.badge').textContent === '1', 'unread badge while closed');
    check(b.sent.filter(function (f) { return f.type === 'read'; }).length === reads, 'no read while closed');
    q('.launcher').click();
    check(q('.badge').hidden, 'badge cleared on open');

    // upload: too large refused locally; small one posted with token header and id
    var input = q('input[type=file]');
    var dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(2000)], 'big.bin'));
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    check(uploads.length === 0, 'file over max_upload_bytes refused before uploading');
    dt = new DataTransfer();
    dt.items.add(new File(['hi'], 'small.txt'));
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    check(uploads.length === 1 && uploads[0].url === HELPDESK + '/chat/harness/upload/' &&
      uploads[0].headers['X-Chat-Token'] === 'tok-1', 'upload POST with X-Chat-Token');

    b.push({ type: 'status', state: 'offline', agent: null, text: 'x' });
    check(qa('.sys').some(function (e) { return /when you come back/.test(e.textContent); }), 'offline line (no e-mail)');
    b.push({ type: 'error', code: 'rate_limited', message: 'slow down' });
    q('.hbtn:not(.x)').click();
    await sleep(1800); // after rate_limited the widget holds its frames for 1.5 s
    check(last(b, 'end'), 'End chat sends end');

    // 4403: no retry
    b.drop(4403);
    await sleep(2500);
    check(sockets.length === 2, 'no reconnect after 4403');

    out.textContent = lines.join('\n') + '\n\n' + (failed.length ? failed.length + ' FAILED' : 'all passed');
    window.harnessResult = { passed: lines.length - failed.length, failed: failed };
  }
  run().catch(function (e) {
    failed.push('exception: ' + e);
    out.textContent = lines.join('\n') + '\n' + e.stack;
    window.harnessResult = { passed: lines.length - failed.length, failed: failed };
  });
})();
