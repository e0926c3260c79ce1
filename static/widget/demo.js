// Loads widget.js (from this page's own folder) with data-site and data-helpdesk taken from the
// query string of demo.html. A helpdesk on another origin is accepted only when this page itself is
// served from a loopback address, so a deployed demo.html cannot be pointed at a foreign server.
(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var out = document.getElementById('config');
  var site = q.get('site');
  var helpdesk = q.get('helpdesk') || location.origin;
  var url;
  try {
    url = new URL(helpdesk, location.href);
  } catch (e) {
    url = null;
  }
  var loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(location.hostname);
  if (!site || !url || !/^https?:$/.test(url.protocol) || (url.origin !== location.origin && !loopback)) {
    out.textContent = 'Usage: demo.html?site=SITE_KEY&helpdesk=' + location.origin;
    return;
  }
  var s = document.createElement('script');
  s.src = new URL('widget.js', document.currentScript.src).href;
  s.async = true;
  s.setAttribute('data-site', site);
  s.setAttribute('data-helpdesk', url.href.replace(/\/+$/, ''));
  ['language', 'position', 'colour', 'open'].forEach(function (k) {
    if (q.has(k)) s.setAttribute('data-' + k, q.get(k));
  });
  document.body.appendChild(s);
  out.textContent = 'Widget for site ' + site + ' from ' + url.origin + '.';
})();
