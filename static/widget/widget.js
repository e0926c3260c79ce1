/*
 * Helpdesk live chat widget. Embed with one tag:
 *   <script src="https://help.example.com/static/widget/widget.js"
 *           data-site="SITE_KEY" data-helpdesk="https://help.example.com" async></script>
 * Optional: data-language, data-position (left/right), data-colour, data-open.
 *
 * Plain ES2017, no dependencies, no build step. Everything lives in a shadow root, so the host
 * page's CSS cannot reach in and ours cannot leak out. It talks only to the helpdesk named by
 * data-helpdesk, following docs/chat-protocol.md. Server and visitor text is only ever set with
 * textContent, never parsed as HTML.
 */
(function () {
  'use strict';

  var script = document.currentScript ||
    document.querySelector('script[data-site][src*="widget.js"]');
  if (!script || !script.dataset.site) return;
  var ds = script.dataset;
  var SITE = ds.site;
  var once = '__helpdeskChat:' + SITE;
  if (window[once]) return;
  window[once] = true;

  var ROOT;
  try {
    ROOT = new URL(ds.helpdesk || new URL(script.src).origin, location.href);
  } catch (e) {
    return;
  }
  if (!/^https?:$/.test(ROOT.protocol)) return;
  var ORIGIN = ROOT.origin;
  ROOT = ROOT.href.replace(/\/+$/, '');
  var SITE_PATH = '/chat/' + encodeURIComponent(SITE) + '/';

  var MAX_TEXT = 5000; // characters, per the protocol
  var MAX_FRAME = 16000; // bytes; the server refuses frames over 16 KB
  var FRAMES_PER_SEC = 8; // the server allows 10; stay under it
  var DEFAULT_COLOUR = '#2255dd';

  /* ---------- UI strings ---------- */

  var STR = {
    en: {
      chat: 'Chat', open: 'Open chat', close: 'Close chat', unread: '{n} unread',
      message: 'Message', placeholder: 'Write a message…', send: 'Send', attach: 'Attach a file',
      you: 'You', agent: 'Support', sending: 'Sending…', notSent: 'Not sent', seen: 'Seen',
      typing: '{name} is typing…', end: 'End chat', ended: 'The chat has ended.',
      waiting: 'Waiting for an agent…', active: 'You’re chatting with {name}.',
      activeAnon: 'You’re chatting with our team.',
      offlineEmail: 'No one is available right now — we’ll answer by e-mail.',
      offlineHere: 'No one is available right now — we’ll answer here when you come back.',
      online: 'We’re online', offline: 'We’ll reply later', connecting: 'Connecting…',
      reconnecting: 'Reconnecting…', unavailable: 'Chat is not available on this page.',
      prechat: 'Before we start, please tell us who you are.', name: 'Name', email: 'E-mail',
      optional: '(optional)', start: 'Start chat', skip: 'Skip',
      required: 'Please fill in this field.', badEmail: 'Please enter a valid e-mail address.',
      tooBig: '{name} is too large (at most {max}).', tooLong: 'This message is too long.',
      uploading: 'Uploading', uploadFailed: 'Upload failed', retry: 'Retry', remove: 'Remove',
      drop: 'Drop a file to send it', error: 'Something went wrong. Please try again.'
    },
    de: {
      chat: 'Chat', open: 'Chat öffnen', close: 'Chat schließen', unread: '{n} ungelesen',
      message: 'Nachricht', placeholder: 'Nachricht schreiben…', send: 'Senden',
      attach: 'Datei anhängen', you: 'Sie', agent: 'Support', sending: 'Wird gesendet…',
      notSent: 'Nicht gesendet', seen: 'Gelesen', typing: '{name} schreibt…',
      end: 'Chat beenden', ended: 'Der Chat wurde beendet.',
      waiting: 'Warten auf einen Mitarbeiter…', active: 'Sie chatten mit {name}.',
      activeAnon: 'Sie chatten mit unserem Team.',
      offlineEmail: 'Gerade ist niemand erreichbar — wir antworten per E-Mail.',
      offlineHere: 'Gerade ist niemand erreichbar — wir antworten hier, wenn Sie wiederkommen.',
      online: 'Wir sind online', offline: 'Wir antworten später', connecting: 'Verbinde…',
      reconnecting: 'Verbindung wird wiederhergestellt…',
      unavailable: 'Der Chat ist auf dieser Seite nicht verfügbar.',
      prechat: 'Bevor es losgeht: Wer sind Sie?', name: 'Name', email: 'E-Mail',
      optional: '(optional)', start: 'Chat starten', skip: 'Überspringen',
      required: 'Bitte füllen Sie dieses Feld aus.',
      badEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
      tooBig: '{name} ist zu groß (höchstens {max}).', tooLong: 'Die Nachricht ist zu lang.',
      uploading: 'Wird hochgeladen', uploadFailed: 'Hochladen fehlgeschlagen',
      retry: 'Erneut versuchen', remove: 'Entfernen', drop: 'Datei hier ablegen, um sie zu senden',
      error: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.'
    },
    da: {
      chat: 'Chat', open: 'Åbn chat', close: 'Luk chat', unread: '{n} ulæste',
      message: 'Besked', placeholder: 'Skriv en besked…', send: 'Send', attach: 'Vedhæft en fil',
      you: 'Dig', agent: 'Support', sending: 'Sender…', notSent: 'Ikke sendt', seen: 'Set',
      typing: '{name} skriver…', end: 'Afslut chat', ended: 'Chatten er afsluttet.',
      waiting: 'Venter på en medarbejder…', active: 'Du chatter med {name}.',
      activeAnon: 'Du chatter med vores team.',
      offlineEmail: 'Der er ingen ledige lige nu — vi svarer pr. e-mail.',
      offlineHere: 'Der er ingen ledige lige nu — vi svarer her, når du kommer tilbage.',
      online: 'Vi er online', offline: 'Vi svarer senere', connecting: 'Forbinder…',
      reconnecting: 'Genopretter forbindelsen…',
      unavailable: 'Chatten er ikke tilgængelig på denne side.',
      prechat: 'Før vi starter, så fortæl os gerne, hvem du er.', name: 'Navn', email: 'E-mail',
      optional: '(valgfrit)', start: 'Start chat', skip: 'Spring over',
      required: 'Udfyld venligst dette felt.', badEmail: 'Indtast en gyldig e-mailadresse.',
      tooBig: '{name} er for stor (højst {max}).', tooLong: 'Beskeden er for lang.',
      uploading: 'Uploader', uploadFailed: 'Upload mislykkedes', retry: 'Prøv igen',
      remove: 'Fjern', drop: 'Slip en fil her for at sende den',
      error: 'Noget gik galt. Prøv venligst igen.'
    },
    fr: {
      chat: 'Chat', open: 'Ouvrir le chat', close: 'Fermer le chat', unread: '{n} non lu(s)',
      message: 'Message', placeholder: 'Écrivez un message…', send: 'Envoyer',
      attach: 'Joindre un fichier', you: 'Vous', agent: 'Support', sending: 'Envoi…',
      notSent: 'Non envoyé', seen: 'Vu', typing: '{name} écrit…', end: 'Terminer le chat',
      ended: 'Le chat est terminé.', waiting: 'En attente d’un conseiller…',
      active: 'Vous discutez avec {name}.', activeAnon: 'Vous discutez avec notre équipe.',
      offlineEmail: 'Personne n’est disponible pour le moment — nous vous répondrons par e-mail.',
      offlineHere: 'Personne n’est disponible pour le moment — nous vous répondrons ici à votre retour.',
      online: 'Nous sommes en ligne', offline: 'Nous répondrons plus tard',
      connecting: 'Connexion…', reconnecting: 'Reconnexion…',
      unavailable: 'Le chat n’est pas disponible sur cette page.',
      prechat: 'Avant de commencer, dites-nous qui vous êtes.', name: 'Nom', email: 'E-mail',
      optional: '(facultatif)', start: 'Démarrer le chat', skip: 'Passer',
      required: 'Veuillez remplir ce champ.', badEmail: 'Veuillez saisir une adresse e-mail valide.',
      tooBig: '{name} est trop volumineux (max. {max}).', tooLong: 'Le message est trop long.',
      uploading: 'Envoi en cours', uploadFailed: 'Échec de l’envoi', retry: 'Réessayer',
      remove: 'Retirer', drop: 'Déposez un fichier pour l’envoyer',
      error: 'Une erreur s’est produite. Veuillez réessayer.'
    }
  };
  var lang = 'en';

  function t(key, vars) {
    var s = STR[lang][key] || STR.en[key] || key;
    return vars ? s.replace(/\{(\w+)\}/g, function (_, k) {
      return vars[k] == null ? '' : String(vars[k]);
    }) : s;
  }

  function pickLang(v) {
    v = String(v || '').toLowerCase().split(/[-_]/)[0];
    return STR.hasOwnProperty(v) ? v : null;
  }

  /* ---------- storage: the token under helpdesk-chat:{site}, the rest next to it ---------- */

  var KEY = 'helpdesk-chat:' + SITE;
  var STATE_KEY = KEY + ':state';
  var memory = {};

  function load(k) {
    try {
      return localStorage.getItem(k);
    } catch (e) {
      return memory.hasOwnProperty(k) ? memory[k] : null;
    }
  }

  function store(k, v) {
    try {
      localStorage.setItem(k, v);
    } catch (e) {
      memory[k] = v;
    }
  }

  function freshState() {
    // active: an ongoing chat (connect on load); seen: last seq the visitor has seen (badge);
    // outbox: unacknowledged messages; prechat: 'done' once the form was sent or skipped;
    // identify: an identify frame still to send.
    return { visitor: null, active: false, open: false, seen: 0, outbox: [], prechat: '',
      name: '', email: '', identify: false };
  }

  var st = freshState();
  try {
    Object.assign(st, JSON.parse(load(STATE_KEY)) || {});
  } catch (e) { /* corrupt state: start afresh */ }
  if (!Array.isArray(st.outbox)) st.outbox = [];

  function save() {
    store(STATE_KEY, JSON.stringify(st));
  }

  /* ---------- small helpers ---------- */

  function h(tag, props, kids) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v == null || v === false) return;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (c) {
      if (c) el.appendChild(c);
    });
    return el;
  }

  var ICONS = {
    chat: 'M6 3h12a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-7l-5 4v-4H6a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3z',
    close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12 19 6.4 17.6 5 12 10.6z',
    send: 'M3 20.5 21 12 3 3.5v6.6L15 12 3 13.9z',
    attach: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z'
  };

  function icon(name, cls) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    var path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    if (cls) svg.setAttribute('class', cls);
    path.setAttribute('d', ICONS[name]);
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }

  function newId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'c_' + Array.prototype.map.call(b, function (x) {
      return (x + 256).toString(16).slice(1);
    }).join('');
  }

  function bytes(s) {
    return new TextEncoder().encode(s).length;
  }

  function fmtSize(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return Math.round(n / 1024) + ' KB';
    return (Math.round(n / 104857.6) / 10) + ' MB';
  }

  function fmtTime(at) {
    var d = at ? new Date(at) : new Date();
    if (isNaN(d)) return '';
    try {
      return d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  }

  // Attachment links only to the helpdesk's own origin (and only http/https).
  function safeUrl(url) {
    try {
      var u = new URL(String(url), ROOT + '/');
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === ORIGIN ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function backoff(n, cap) {
    var d = Math.min(cap, 1000 * Math.pow(2, n));
    return d / 2 + Math.random() * d / 2; // exponential with (half) jitter
  }

  /* ---------- colours and contrast (WCAG relative luminance) ---------- */

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function ratio(a, b) {
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  function toRgb(colour, probe) {
    probe.style.color = '';
    probe.style.color = String(colour || '');
    if (!probe.style.color) return null;
    var m = /rgba?\((\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(getComputedStyle(probe).color);
    return m ? [+m[1], +m[2], +m[3]] : null;
  }

  function theme(colour, probe) {
    var rgb = toRgb(colour, probe) || toRgb(DEFAULT_COLOUR, probe) || [34, 85, 221];
    var l = luminance(rgb);
    var dark = '#111418';
    var vsWhite = ratio(l, 1);
    return {
      c: 'rgb(' + rgb.join(',') + ')',
      // text on the colour: white if it reaches 4.5:1, else dark text
      fg: vsWhite >= 4.5 || vsWhite > ratio(l, luminance([17, 20, 24])) ? '#fff' : dark,
      // the colour as an accent on white (focus rings, links): only if it stands out
      ring: vsWhite >= 3 ? 'rgb(' + rgb.join(',') + ')' : dark
    };
  }

  /* ---------- styles (all inside the shadow root) ---------- */

  var CSS = [
    ':host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important}',
    '*,*::before,*::after{box-sizing:border-box}',
    '[hidden]{display:none!important}',
    '.w{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1b1f24;text-align:left;letter-spacing:normal;word-spacing:normal;text-transform:none;-webkit-font-smoothing:antialiased}',
    'button,input,textarea{font:inherit;color:inherit;letter-spacing:inherit;margin:0}',
    'button{cursor:pointer}',
    'button:disabled{cursor:not-allowed;opacity:.55}',
    ':focus{outline:none}',
    ':focus-visible{outline:3px solid var(--ring);outline-offset:2px}',
    '.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}',
    '.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:58px;height:58px;padding:0;border:2px solid rgba(255,255,255,.9);border-radius:50%;background:var(--c);color:var(--fg);box-shadow:0 4px 16px rgba(0,0,0,.28);display:flex;align-items:center;justify-content:center}',
    '.launcher:hover{filter:brightness(1.08)}',
    '.launcher:focus-visible{outline:3px solid var(--ring);outline-offset:3px;box-shadow:0 0 0 3px #fff,0 4px 16px rgba(0,0,0,.28)}',
    '.launcher svg{width:28px;height:28px}',
    '.launcher .i-close{display:none}',
    '.launcher[aria-expanded=true] .i-chat{display:none}',
    '.launcher[aria-expanded=true] .i-close{display:block}',
    '.left .launcher{right:auto;left:20px}',
    '.badge{position:absolute;top:-5px;right:-5px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c4221f;color:#fff;border:2px solid #fff;font-size:12px;font-weight:700;line-height:18px;text-align:center}',
    '.panel{position:fixed;bottom:90px;right:20px;z-index:2147483000;width:370px;max-width:calc(100vw - 24px);height:580px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;overflow:hidden;background:#fff;border-radius:14px;box-shadow:0 10px 36px rgba(0,0,0,.3)}',
    '.left .panel{right:auto;left:20px}',
    '@media (max-width:480px){.panel{top:0;left:0!important;right:0!important;bottom:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}}',
    '.head{display:flex;align-items:center;gap:6px;padding:12px 10px 12px 16px;background:var(--c);color:var(--fg)}',
    '.ht{flex:1;min-width:0}',
    '.head h2{margin:0;font-size:16px;font-weight:650;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}',
    '.sub{margin:0;font-size:12.5px;line-height:1.3;opacity:.92}',
    '.head :focus-visible{outline-color:currentColor}',
    '.hbtn{flex:none;border:1px solid currentColor;background:transparent;color:inherit;border-radius:8px;padding:5px 10px;font-size:13px;font-weight:600}',
    '.hbtn.x{border-color:transparent;padding:4px;width:34px;height:34px;display:flex;align-items:center;justify-content:center}',
    '.hbtn:hover{background:rgba(127,127,127,.22)}',
    '.hbtn svg{width:22px;height:22px}',
    '.body{position:relative;flex:1;overflow-y:auto;padding:14px 12px;background:#f4f5f7}',
    '.log{display:flex;flex-direction:column;gap:8px}',
    '.row{display:flex;flex-direction:column;align-items:flex-start;max-width:86%;align-self:flex-start}',
    '.row.me{align-self:flex-end;align-items:flex-end}',
    '.who{margin:0 6px 2px;font-size:12px;font-weight:600;color:#4b525c}',
    '.bubble{padding:8px 12px;border-radius:16px 16px 16px 4px;background:#fff;border:1px solid #dfe2e7;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}',
    '.me .bubble{border-radius:16px 16px 4px 16px;background:var(--c);color:var(--fg);border-color:transparent}',
    '.me.pending .bubble{opacity:.75}',
    '.me.failed .bubble{opacity:.75;border:1px dashed #c4221f}',
    '.meta{margin:3px 6px 0;font-size:11.5px;color:#555c66;display:flex;gap:8px;align-items:center;flex-wrap:wrap}',
    '.failed .meta{color:#b3261e;font-weight:600}',
    '.meta button{border:0;background:none;padding:0;color:var(--ring);text-decoration:underline;font-size:inherit;font-weight:600}',
    '.seen{display:block;margin:1px 6px 0;font-size:11.5px;color:#555c66}',
    '.att{list-style:none;margin:0;padding:0}',
    '.att li+li{margin-top:4px}',
    '.bubble .att:not(:first-child){margin-top:6px}',
    '.att a{color:inherit;text-decoration:underline;font-weight:600}',
    '.att .size{opacity:.8;font-size:12px}',
    '.bubble progress{display:block;width:160px;height:6px;margin-top:6px;accent-color:var(--fg)}',
    '.sys{align-self:center;max-width:92%;margin:2px 0;padding:4px 10px;font-size:12.5px;color:#454c55;text-align:center;background:#e8eaee;border-radius:10px}',
    '.greet .bubble{background:#fff}',
    '.pre{margin-top:12px;padding:14px;background:#fff;border:1px solid #dfe2e7;border-radius:12px}',
    '.pre p{margin:0 0 6px}',
    '.pre label{display:block;margin:10px 0 4px;font-size:13px;font-weight:600}',
    '.pre .opt{font-weight:400;color:#555c66}',
    '.pre input{display:block;width:100%;padding:8px 10px;border:1px solid #7c838d;border-radius:8px;background:#fff}',
    '.pre input:focus-visible,textarea:focus-visible{outline-offset:0;border-color:var(--ring)}',
    '.pre input[aria-invalid=true]{border-color:#b3261e}',
    '.err{margin:4px 0 0;font-size:12.5px;color:#b3261e}',
    '.errs .err{margin:0;padding:4px 12px;background:#fff}',
    '.btns{display:flex;gap:8px;margin-top:14px}',
    '.btn{padding:8px 14px;border-radius:8px;border:1px solid transparent;font-weight:600}',
    '.btn.primary{background:var(--c);color:var(--fg)}',
    '.btn.secondary{background:#fff;border-color:#7c838d;color:#1b1f24}',
    '.typing{margin:0;padding:4px 16px;font-size:12.5px;font-style:italic;color:#4b525c;background:#f4f5f7}',
    '.comp{display:flex;align-items:flex-end;gap:6px;padding:8px;border-top:1px solid #dfe2e7;background:#fff}',
    'textarea{flex:1;min-width:0;min-height:40px;max-height:140px;padding:9px 11px;border:1px solid #7c838d;border-radius:10px;background:#fff;resize:none;line-height:1.4;font-size:14px}',
    'textarea::placeholder{color:#6b717a;opacity:1}',
    'textarea:disabled{background:#eceef1;border-color:#b9bec6}',
    '.ib{flex:none;width:40px;height:40px;padding:0;border:0;border-radius:10px;background:transparent;color:#3d434b;display:flex;align-items:center;justify-content:center}',
    '.ib:hover{background:#eceef1}',
    '.ib.send{background:var(--c);color:var(--fg)}',
    '.ib svg{width:22px;height:22px}',
    '.drop{position:absolute;inset:0;z-index:2;display:flex;align-items:center;justify-content:center;padding:24px;text-align:center;font-weight:650;background:rgba(255,255,255,.93);border:3px dashed var(--ring);border-radius:14px}',
    '@media (prefers-reduced-motion:no-preference){.panel{animation:pop .16s ease-out}@keyframes pop{from{opacity:0;transform:translateY(8px)}}}'
  ].join('\n');

  /* ---------- state of this page ---------- */

  var token = null;
  var cfg = {};
  var maxUpload = 0;
  var isOpen = false;
  var ui = {};
  var rows = new Map(); // seq -> row element (each seq rendered once)
  var fromOf = new Map(); // seq -> 'visitor' | 'agent' | 'system'
  var pending = new Map(); // client id -> row element not yet acknowledged
  var lastSeq = 0; // highest seq received in a message frame (what resume asks after)
  var readSent = 0; // highest seq reported with a read frame
  var agentRead = 0; // highest seq the agent has read
  var shownStatus = ''; // state|agent of the last status line shown
  var status = null; // last status frame
  var seenEl = null;
  var offlineLine = null; // its wording depends on whether an e-mail was given

  var ws = null;
  var wsOpen = false;
  var everOpen = false;
  var wantSocket = false;
  var dead = false; // closed with 4403: no retry
  var attempts = 0;
  var retryTimer = null;
  var stableTimer = null;
  var outq = []; // frames waiting for the rate limit
  var sentAt = [];
  var drainTimer = null;
  var inflight = []; // message ids sent on this socket and not yet acknowledged, in order
  var typingOn = false;
  var typingSentAt = 0;
  var typingTimer = null;
  var agentTypingTimer = null;

  /* ---------- socket ---------- */

  function connect() {
    wantSocket = true;
    if (ws || dead || !token) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    var url = ROOT.replace(/^http/i, 'ws') + '/ws' + SITE_PATH + '?token=' + encodeURIComponent(token);
    var sock;
    try {
      sock = new WebSocket(url);
    } catch (e) {
      retry();
      return;
    }
    ws = sock;
    sock.onopen = function () {
      if (ws !== sock) return;
      wsOpen = true;
      everOpen = true;
      stableTimer = setTimeout(function () {
        attempts = 0;
      }, 5000);
      send({ type: 'resume', after: lastSeq });
      if (st.identify) {
        send({ type: 'identify', name: st.name, email: st.email }, function () {
          st.identify = false;
          save();
        });
      }
      resendOutbox();
      maybeRead();
      if (typingOn) send({ type: 'typing', state: true });
      refresh();
    };
    sock.onmessage = function (e) {
      if (ws !== sock) return;
      var f;
      try {
        f = JSON.parse(e.data);
      } catch (x) {
        return;
      }
      if (f && typeof f === 'object') handle(f);
    };
    sock.onclose = function (e) {
      if (ws !== sock) return;
      ws = null;
      wsOpen = false;
      outq = [];
      inflight = [];
      clearTimeout(drainTimer);
      drainTimer = null;
      clearTimeout(stableTimer);
      hideAgentTyping();
      if (e.code === 4403) {
        dead = true;
        sysLine(t('unavailable'));
      } else {
        retry();
      }
      refresh();
    };
  }

  function retry() {
    if (retryTimer || dead) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      connect();
    }, backoff(attempts++, 30000));
  }

  function reconnectNow() {
    if (!wantSocket || ws || dead) return;
    attempts = 0;
    connect();
  }

  // Queue a frame; frames go out at most FRAMES_PER_SEC per second, resume first.
  function send(frame, onSent) {
    if (!wsOpen) return false;
    if (frame.type === 'typing') {
      outq = outq.filter(function (q) {
        return q.f.type !== 'typing';
      });
    }
    outq.push({ f: frame, cb: onSent });
    drain();
    return true;
  }

  function drain() {
    if (drainTimer) return;
    var now = Date.now();
    sentAt = sentAt.filter(function (x) {
      return now - x < 1000;
    });
    while (outq.length && wsOpen && sentAt.length < FRAMES_PER_SEC) {
      var q = outq.shift();
      try {
        ws.send(JSON.stringify(q.f));
      } catch (e) {
        return;
      }
      sentAt.push(now);
      if (q.f.type === 'message') inflight.push(q.f.id);
      if (q.cb) q.cb();
    }
    if (outq.length && wsOpen) {
      drainTimer = setTimeout(function () {
        drainTimer = null;
        drain();
      }, Math.max(20, 1005 - (now - sentAt[0])));
    }
  }

  function resendOutbox() {
    st.outbox.forEach(function (m) {
      var queued = outq.some(function (q) {
        return q.f.id === m.id;
      });
      if (!queued) send({ type: 'message', id: m.id, text: m.text });
    });
  }

  function handle(f) {
    switch (f.type) {
      case 'message': onMessage(f); break;
      case 'ack': onAck(f); break;
      case 'typing': onAgentTyping(f); break;
      case 'read': onRead(f); break;
      case 'status': onStatus(f); break;
      case 'error': onError(f); break;
      default: break; // unknown frames are ignored (forward compatible)
    }
  }

  /* ---------- frames from the server ---------- */

  function onMessage(f) {
    var seq = Number(f.seq);
    if (!(seq > 0)) return;
    if (f.id) {
      dropOutbox(f.id);
      var mine = pending.get(f.id);
      if (mine) {
        pending.delete(f.id);
        if (!rows.has(seq)) {
          mine.remove();
        }
      }
    }
    if (seq > lastSeq) lastSeq = seq;
    var had = rows.get(seq);
    if (had && !had.hasAttribute('data-upload')) return; // each seq is shown once
    var row = renderMessage(f);
    row.setAttribute('data-seq', seq);
    if (had) had.replaceWith(row); // an upload row: the server's version has the link
    else place(row, seq);
    rows.set(seq, row);
    fromOf.set(seq, f.from);
    if (f.from === 'agent') hideAgentTyping();
    if (f.from !== 'system' && !st.active && (!status || status.state !== 'ended')) {
      st.active = true;
      save();
    }
    updateSeen();
    maybeRead();
    updateBadge();
    refresh();
    scrollDown(f.from === 'visitor');
  }

  function onAck(f) {
    var seq = Number(f.seq);
    dropOutbox(f.id);
    inflight = inflight.filter(function (id) {
      return id !== f.id;
    });
    var row = pending.get(f.id);
    if (!row || !(seq > 0)) return;
    pending.delete(f.id);
    if (rows.has(seq)) {
      row.remove(); // the message frame came first
      return;
    }
    row.classList.remove('pending');
    row.removeAttribute('data-pending');
    row.setAttribute('data-seq', seq);
    var meta = row.querySelector('.meta');
    if (meta) meta.textContent = fmtTime();
    rows.set(seq, row);
    fromOf.set(seq, 'visitor');
    place(row, seq);
    updateSeen();
  }

  function onAgentTyping(f) {
    clearTimeout(agentTypingTimer);
    if (!f.state) {
      hideAgentTyping();
      return;
    }
    ui.typing.textContent = t('typing', { name: f.author || t('agent') });
    ui.typing.hidden = false;
    agentTypingTimer = setTimeout(hideAgentTyping, 10000); // never stuck if "false" is lost
  }

  function hideAgentTyping() {
    clearTimeout(agentTypingTimer);
    if (ui.typing) ui.typing.hidden = true;
  }

  function onRead(f) {
    var seq = Number(f.seq);
    if (seq > agentRead) {
      agentRead = seq;
      updateSeen();
    }
  }

  function onStatus(f) {
    status = f;
    if (f.state === 'ended' && st.active) {
      st.active = false;
      save();
    }
    refresh();
    var key = f.state + '|' + (f.agent || '');
    if (key === shownStatus) return; // a status after every resume: show changes only
    var hasChat = rows.size > 0 || pending.size > 0;
    if ((f.state === 'waiting' || f.state === 'ended') && !hasChat) return;
    shownStatus = key;
    var text;
    if (f.state === 'offline') text = st.email ? t('offlineEmail') : t('offlineHere');
    else if (f.state === 'waiting') text = t('waiting');
    else if (f.state === 'active') text = f.agent ? t('active', { name: f.agent }) : t('activeAnon');
    else if (f.state === 'ended') text = t('ended');
    else text = f.text;
    if (!text) return;
    var line = sysLine(text);
    if (f.state === 'offline') offlineLine = line;
  }

  function onError(f) {
    if (f.code === 'rate_limited') {
      // Which frame was refused is not said; resending unacknowledged messages is harmless.
      setTimeout(function () {
        if (wsOpen) resendOutbox();
      }, 1500);
      return;
    }
    if ((f.code === 'too_large' || f.code === 'invalid') && inflight.length) {
      // Frames are answered in order, so the oldest unacknowledged message is the refused one.
      var id = inflight.shift();
      dropOutbox(id);
      var row = pending.get(id);
      if (row) {
        pending.delete(id);
        row.classList.remove('pending');
        row.classList.add('failed');
        row.querySelector('.meta').textContent = f.code === 'too_large' ? t('tooLong') : t('notSent');
      }
    }
  }

  function dropOutbox(id) {
    var n = st.outbox.length;
    st.outbox = st.outbox.filter(function (m) {
      return m.id !== id;
    });
    if (st.outbox.length !== n) save();
  }

  /* ---------- rendering ---------- */

  // Keep the log in seq order; unacknowledged rows stay at the end.
  function place(row, seq) {
    var kids = ui.log.children;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k === row) continue;
      var s = Number(k.getAttribute('data-seq'));
      if ((s && s > seq) || k.hasAttribute('data-pending')) {
        ui.log.insertBefore(row, k);
        return;
      }
    }
    ui.log.appendChild(row);
  }

  function sysLine(text) {
    var row = h('div', { class: 'sys', text: text });
    var first = ui.log.querySelector('[data-pending]');
    ui.log.insertBefore(row, first);
    scrollDown(false);
    return row;
  }

  function renderMessage(f) {
    if (f.from === 'system') return h('div', { class: 'sys', text: f.text || '' });
    var me = f.from === 'visitor';
    var bubble = h('div', { class: 'bubble' }, [
      h('span', { class: 'sr', text: (me ? t('you') : (f.author || t('agent'))) + ': ' })
    ]);
    if (f.text) bubble.appendChild(document.createTextNode(String(f.text)));
    var atts = Array.isArray(f.attachments) ? f.attachments : [];
    if (atts.length) {
      bubble.appendChild(h('ul', { class: 'att' }, atts.map(function (a) {
        var name = String((a && a.name) || 'file');
        var url = a && safeUrl(a.url);
        var label = url ?
          h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: name }) :
          h('span', { text: name });
        var size = a && Number(a.size) >= 0 ? h('span', { class: 'size', text: ' (' + fmtSize(Number(a.size)) + ')' }) : null;
        return h('li', null, [label, size]);
      })));
    }
    return h('div', { class: 'row ' + (me ? 'me' : 'them') }, [
      me ? null : h('div', { class: 'who', 'aria-hidden': 'true', text: f.author || t('agent') }),
      bubble,
      h('div', { class: 'meta', text: fmtTime(f.at) })
    ]);
  }

  function pendingRow(id, text) {
    var row = h('div', { class: 'row me pending', 'data-pending': '', 'data-id': id }, [
      h('div', { class: 'bubble' }, [h('span', { class: 'sr', text: t('you') + ': ' }), document.createTextNode(text)]),
      h('div', { class: 'meta', text: t('sending') })
    ]);
    pending.set(id, row);
    ui.log.appendChild(row);
    return row;
  }

  function updateSeen() {
    var best = null;
    var bestSeq = 0;
    rows.forEach(function (row, seq) {
      if (fromOf.get(seq) === 'visitor' && seq <= agentRead && seq > bestSeq) {
        best = row;
        bestSeq = seq;
      }
    });
    if (!best) {
      seenEl.remove();
    } else if (seenEl.parentNode !== best) {
      best.appendChild(seenEl);
    }
  }

  function scrollDown(force) {
    var b = ui.body;
    if (!b) return;
    if (force || b.scrollHeight - b.scrollTop - b.clientHeight < 120) b.scrollTop = b.scrollHeight;
  }

  /* ---------- read receipts and the unread badge ---------- */

  function visible() {
    return isOpen && document.visibilityState === 'visible';
  }

  function maybeRead() {
    if (!visible()) return;
    if (lastSeq > st.seen) {
      st.seen = lastSeq;
      save();
      updateBadge();
    }
    if (!wsOpen || lastSeq <= readSent) return;
    var news = false;
    fromOf.forEach(function (from, seq) {
      if (from !== 'visitor' && seq > readSent) news = true;
    });
    if (news) {
      readSent = lastSeq;
      send({ type: 'read', seq: lastSeq });
    }
  }

  function updateBadge() {
    var n = 0;
    fromOf.forEach(function (from, seq) {
      if (from === 'agent' && seq > st.seen) n++;
    });
    if (isOpen) n = 0;
    ui.badge.textContent = n > 9 ? '9+' : String(n);
    ui.badge.hidden = !n;
    ui.launcher.setAttribute('aria-label',
      isOpen ? t('close') : t('open') + (n ? ' (' + t('unread', { n: n }) + ')' : ''));
  }

  /* ---------- header, composer state ---------- */

  function prechatNeeded() {
    return (cfg.prechat === 'required' || cfg.prechat === 'optional') && st.prechat !== 'done';
  }

  function refresh() {
    var sub;
    if (dead) sub = t('unavailable');
    else if (wantSocket && !wsOpen) sub = everOpen ? t('reconnecting') : t('connecting');
    else if (status && status.state === 'offline') sub = t('offline');
    else if (status && status.state === 'active' && status.agent) sub = status.agent;
    else if (status && status.state === 'waiting' && (rows.size || pending.size)) sub = t('waiting');
    else sub = cfg.online === false ? t('offline') : t('online');
    ui.sub.textContent = sub;

    var pre = prechatNeeded();
    ui.pre.hidden = !pre;
    ui.comp.hidden = pre;
    [ui.input, ui.sendBtn, ui.attachBtn].forEach(function (el) {
      el.disabled = dead;
    });
    ui.attachBtn.hidden = !(maxUpload > 0);
    var showEnd = wsOpen && st.active && (rows.size > 0 || pending.size > 0);
    if (!showEnd && ui.endBtn === shadowActive()) ui.input.focus();
    ui.endBtn.hidden = !showEnd;
  }

  function shadowActive() {
    return ui.root.activeElement;
  }

  /* ---------- visitor actions ---------- */

  function sendText(e) {
    if (e) e.preventDefault();
    var text = ui.input.value.replace(/^\s+|\s+$/g, '');
    if (!text || dead || prechatNeeded()) return;
    if (Array.from(text).length > MAX_TEXT ||
        bytes(JSON.stringify({ type: 'message', id: newId(), text: text })) > MAX_FRAME) {
      ui.err.textContent = t('tooLong');
      ui.err.hidden = false;
      return;
    }
    ui.err.hidden = true;
    var m = { id: newId(), text: text };
    st.outbox.push(m);
    st.active = true;
    save();
    pendingRow(m.id, text);
    ui.input.value = '';
    autosize();
    stopTyping();
    connect();
    send({ type: 'message', id: m.id, text: text });
    refresh();
    scrollDown(true);
  }

  function onInput() {
    autosize();
    if (ui.err) ui.err.hidden = true;
    if (!ui.input.value.trim()) {
      stopTyping();
      return;
    }
    var now = Date.now();
    if (!typingOn || now - typingSentAt > 8000) {
      typingOn = true;
      typingSentAt = now;
      send({ type: 'typing', state: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 4000);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingOn) return;
    typingOn = false;
    send({ type: 'typing', state: false });
  }

  function autosize() {
    var el = ui.input;
    el.style.height = 'auto';
    el.style.height = Math.min(el.scrollHeight + 2, 140) + 'px';
  }

  function endChat() {
    send({ type: 'end' });
    stopTyping();
    st.active = false;
    save();
    ui.input.focus();
    refresh();
  }

  function upload(file, id, row) {
    if (dead || prechatNeeded() || !(maxUpload > 0)) return;
    if (file.size > maxUpload) {
      sysLine(t('tooBig', { name: file.name, max: fmtSize(maxUpload) }));
      return;
    }
    id = id || newId();
    var bar = h('progress', { max: '100', value: '0', 'aria-label': t('uploading') });
    var fresh = h('div', { class: 'row me pending', 'data-pending': '', 'data-upload': '', 'data-id': id }, [
      h('div', { class: 'bubble' }, [
        h('span', { class: 'sr', text: t('you') + ': ' }),
        h('ul', { class: 'att' }, [h('li', null, [
          h('span', { text: file.name }), h('span', { class: 'size', text: ' (' + fmtSize(file.size) + ')' })
        ])]),
        bar
      ]),
      h('div', { class: 'meta', text: t('uploading') + '…' })
    ]);
    if (row) row.replaceWith(fresh);
    else ui.log.appendChild(fresh);
    row = fresh;
    pending.set(id, row);
    st.active = true;
    save();
    connect();
    refresh();
    scrollDown(true);

    var fd = new FormData();
    fd.append('id', id);
    fd.append('file', file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', ROOT + SITE_PATH + 'upload/');
    xhr.setRequestHeader('X-Chat-Token', token);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round(e.loaded / e.total * 100);
    };
    xhr.onload = function () {
      var data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300 && data && Number(data.seq) > 0) {
        bar.remove();
        onAck({ id: id, seq: data.seq });
      } else if (xhr.status === 413) {
        failUpload(row, id, file, t('tooBig', { name: file.name, max: fmtSize(maxUpload) }), false);
      } else {
        failUpload(row, id, file, t('uploadFailed'), true);
      }
    };
    xhr.onerror = xhr.onabort = function () {
      failUpload(row, id, file, t('uploadFailed'), true);
    };
    xhr.send(fd);
  }

  function failUpload(row, id, file, message, canRetry) {
    if (pending.get(id) !== row) return;
    pending.delete(id);
    var bar = row.querySelector('progress');
    if (bar) bar.remove();
    row.classList.remove('pending');
    row.classList.add('failed');
    var meta = row.querySelector('.meta');
    meta.textContent = '';
    meta.appendChild(h('span', { text: message }));
    if (canRetry) {
      meta.appendChild(h('button', { type: 'button', text: t('retry'), onclick: function () {
        upload(file, id, row);
        ui.input.focus();
      } }));
    }
    meta.appendChild(h('button', { type: 'button', text: t('remove'), onclick: function () {
      row.remove();
      ui.input.focus();
    } }));
  }

  function sendIdentify(name, email) {
    st.prechat = 'done';
    st.name = name;
    st.email = email;
    st.identify = !!(name || email);
    save();
    if (offlineLine) offlineLine.textContent = email ? t('offlineEmail') : t('offlineHere');
    if (st.identify) {
      connect();
      send({ type: 'identify', name: name, email: email }, function () {
        st.identify = false;
        save();
      });
    }
    refresh();
    ui.input.focus();
  }

  /* ---------- opening and closing ---------- */

  function open(moveFocus) {
    if (isOpen) return;
    isOpen = true;
    st.open = true;
    save();
    ui.panel.hidden = false;
    ui.launcher.setAttribute('aria-expanded', 'true');
    connect();
    refresh();
    updateBadge();
    maybeRead();
    ui.body.scrollTop = ui.body.scrollHeight;
    if (moveFocus) {
      var target = prechatNeeded() ? ui.pre.querySelector('input') : ui.input;
      target.focus();
    }
  }

  function close(moveFocus) {
    if (!isOpen) return;
    isOpen = false;
    st.open = false;
    save();
    stopTyping();
    ui.panel.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'false');
    updateBadge();
    if (moveFocus) ui.launcher.focus();
  }

  /* ---------- building the UI ---------- */

  function buildPrechat() {
    var required = cfg.prechat === 'required';
    function field(id, label, type, auto) {
      var input = h('input', { id: id, type: type, autocomplete: auto, maxlength: '254',
        'aria-required': required ? 'true' : null, 'aria-describedby': id + '-err' });
      var err = h('p', { id: id + '-err', class: 'err', hidden: true });
      var lab = h('label', { for: id, text: label + ' ' }, [
        required ? null : h('span', { class: 'opt', text: t('optional') })
      ]);
      return { input: input, err: err, nodes: [lab, input, err] };
    }
    var name = field('hc-name', t('name'), 'text', 'name');
    var email = field('hc-email', t('email'), 'email', 'email');
    function problem(f, msg) {
      f.err.textContent = msg || '';
      f.err.hidden = !msg;
      f.input.setAttribute('aria-invalid', msg ? 'true' : 'false');
      return !!msg;
    }
    function submit(e) {
      e.preventDefault();
      var n = name.input.value.trim();
      var m = email.input.value.trim();
      var badEmail = m && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(m);
      var a = problem(name, required && !n ? t('required') : '');
      var b = problem(email, required && !m ? t('required') : (badEmail ? t('badEmail') : ''));
      if (a || b) {
        (a ? name : email).input.focus();
        return;
      }
      sendIdentify(n, m);
    }
    return h('form', { class: 'pre', novalidate: true, 'aria-labelledby': 'hc-pre-intro', onsubmit: submit },
      [h('p', { id: 'hc-pre-intro', text: t('prechat') })].concat(name.nodes, email.nodes, [
        h('div', { class: 'btns' }, [
          h('button', { type: 'submit', class: 'btn primary', text: t('start') }),
          required ? null : h('button', { type: 'button', class: 'btn secondary', text: t('skip'),
            onclick: function () {
              sendIdentify('', '');
            } })
        ])
      ]));
  }

  function build() {
    var host = document.createElement('helpdesk-chat');
    var root = host.attachShadow({ mode: 'open' });
    ui.root = root;
    var probe = h('span', { hidden: true });
    root.appendChild(probe);
    document.body.appendChild(host);

    // Constructable stylesheets are not subject to the host page's style-src CSP.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(h('style', { text: CSS }));
    }

    var colours = theme(ds.colour || ds.color || cfg.colour, probe);
    probe.remove();
    var pos = (ds.position || cfg.position) === 'left' ? 'left' : 'right';
    var wrap = h('div', { class: 'w ' + pos, lang: lang });
    wrap.style.setProperty('--c', colours.c);
    wrap.style.setProperty('--fg', colours.fg);
    wrap.style.setProperty('--ring', colours.ring);

    ui.badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true });
    ui.launcher = h('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false',
      'aria-controls': 'hc-panel', 'aria-label': t('open'),
      onclick: function () {
        if (isOpen) close(true);
        else open(true);
      } }, [icon('chat', 'i-chat'), icon('close', 'i-close'), ui.badge]);

    ui.sub = h('p', { class: 'sub' });
    ui.endBtn = h('button', { type: 'button', class: 'hbtn', text: t('end'), hidden: true, onclick: endChat });
    var head = h('div', { class: 'head' }, [
      h('div', { class: 'ht' }, [h('h2', { id: 'hc-title', text: cfg.title || t('chat') }), ui.sub]),
      ui.endBtn,
      h('button', { type: 'button', class: 'hbtn x', 'aria-label': t('close'), onclick: function () {
        close(true);
      } }, [icon('close')])
    ]);

    ui.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-labelledby': 'hc-title' });
    if (cfg.greeting) {
      ui.log.appendChild(h('div', { class: 'row them greet' }, [
        h('div', { class: 'bubble', text: String(cfg.greeting) })
      ]));
    }
    ui.pre = buildPrechat();
    ui.body = h('div', { class: 'body' }, [ui.log, ui.pre]);
    ui.typing = h('p', { class: 'typing', hidden: true });

    ui.input = h('textarea', { rows: '1', maxlength: String(MAX_TEXT), placeholder: t('placeholder'),
      'aria-label': t('message'), 'aria-describedby': 'hc-err', oninput: onInput,
      onkeydown: function (e) {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) sendText(e);
      },
      onblur: stopTyping,
      onpaste: function (e) {
        var files = e.clipboardData && e.clipboardData.files;
        if (files && files.length && maxUpload > 0) {
          e.preventDefault();
          Array.from(files).slice(0, 5).forEach(function (f) {
            upload(f);
          });
        }
      } });
    ui.file = h('input', { type: 'file', hidden: true, tabindex: '-1', 'aria-hidden': 'true',
      onchange: function () {
        Array.from(ui.file.files).slice(0, 5).forEach(function (f) {
          upload(f);
        });
        ui.file.value = '';
      } });
    ui.attachBtn = h('button', { type: 'button', class: 'ib', 'aria-label': t('attach'), title: t('attach'),
      onclick: function () {
        ui.file.click();
      } }, [icon('attach')]);
    ui.sendBtn = h('button', { type: 'submit', class: 'ib send', 'aria-label': t('send'), title: t('send') },
      [icon('send')]);
    ui.err = h('p', { id: 'hc-err', class: 'err', role: 'alert', hidden: true });
    ui.comp = h('form', { class: 'comp', onsubmit: sendText }, [ui.attachBtn, ui.file, ui.input, ui.sendBtn]);
    ui.drop = h('div', { class: 'drop', hidden: true, 'aria-hidden': 'true', text: t('drop') });

    ui.panel = h('div', { id: 'hc-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': 'hc-title', hidden: true },
    [head, ui.body, ui.typing, h('div', { class: 'errs' }, [ui.err]), ui.comp, ui.drop]);

    var depth = 0;
    function hasFiles(e) {
      return e.dataTransfer && Array.from(e.dataTransfer.types || []).indexOf('Files') >= 0 &&
        maxUpload > 0 && !dead && !prechatNeeded();
    }
    ui.panel.addEventListener('dragenter', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      ui.drop.hidden = false;
    });
    ui.panel.addEventListener('dragover', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    });
    ui.panel.addEventListener('dragleave', function () {
      if (--depth <= 0) {
        depth = 0;
        ui.drop.hidden = true;
      }
    });
    ui.panel.addEventListener('drop', function (e) {
      depth = 0;
      ui.drop.hidden = true;
      if (!hasFiles(e)) return;
      e.preventDefault();
      Array.from(e.dataTransfer.files).slice(0, 5).forEach(function (f) {
        upload(f);
      });
    });

    root.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && isOpen) {
        e.preventDefault();
        e.stopPropagation();
        close(true);
      }
    });

    seenEl = h('span', { class: 'seen', text: t('seen') });
    wrap.appendChild(ui.launcher);
    wrap.appendChild(ui.panel);
    root.appendChild(wrap);
  }

  /* ---------- start ---------- */

  function init(config) {
    cfg = config || {};
    lang = pickLang(ds.language) || pickLang(cfg.language) || 'en';
    maxUpload = Number(cfg.max_upload_bytes) || 0;
    build();

    // Messages written before a reload and never acknowledged: shown, and resent on connect.
    st.outbox = st.outbox.filter(function (m) {
      return m && m.id && typeof m.text === 'string';
    });
    st.outbox.forEach(function (m) {
      pendingRow(m.id, m.text);
    });

    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') {
        reconnectNow();
        maybeRead();
      }
    });
    window.addEventListener('online', reconnectNow);

    var startOpen = ds.open != null && ds.open !== 'false';
    if (st.active || st.outbox.length || startOpen || st.open) connect();
    refresh();
    updateBadge();
    if (startOpen || st.open) open(false); // restore without stealing focus from the page
  }

  var started = false;

  function session(attempt) {
    var body = {};
    var stored = load(KEY);
    if (stored) body.token = stored;
    fetch(ROOT + SITE_PATH + 'session/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      mode: 'cors'
    }).then(function (r) {
      if (r.ok) return r.json();
      var err = new Error('chat session: HTTP ' + r.status);
      err.final = r.status < 500 && r.status !== 408 && r.status !== 429;
      throw err;
    }).then(function (data) {
      if (!data || typeof data.token !== 'string') throw new Error('chat session: bad response');
      token = data.token;
      store(KEY, token);
      if (data.visitor && st.visitor && data.visitor !== st.visitor) {
        // A new visitor (the stored token was refused): keep only what was never sent.
        var outbox = st.outbox;
        st = freshState();
        st.outbox = outbox;
      }
      st.visitor = data.visitor || st.visitor;
      save();
      started = true;
      init(data.config);
    }).catch(function (e) {
      if (started) throw e; // a bug in the widget, not a network problem: do not start twice
      if (e.final || attempt >= 8) {
        if (window.console) console.warn('Helpdesk chat unavailable:', e.message);
        return;
      }
      setTimeout(function () {
        session(attempt + 1);
      }, backoff(attempt, 60000));
    });
  }

  function boot() {
    if (!('WebSocket' in window) || !window.fetch || !document.body || !document.body.attachShadow) return;
    session(0);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
