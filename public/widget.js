/* Switchboard widget loader. Embed with either
 *   <script src="https://HOST/widget.js" data-inbox="PUBLIC_INBOX_KEY" async></script>
 * or the stub and boot call (see the README), which queue calls made before this
 * script loads:
 *   window.Switchboard = window.Switchboard || function () { (Switchboard.q = Switchboard.q || []).push(arguments); };
 *   Switchboard('boot', { inbox: 'KEY', user: {...}, signature: '...', context: {...}, locale: 'nb' });
 * It adds one iframe (the chat runs inside it, isolated from this page's CSS and JS).
 * Commands: boot, open, close, toggle, update, shutdown, and on(event, callback) for
 * ready, open, close, message and unread. Switchboard.identify / setContext / open
 * keep working. It keeps a copy of the visitor's token in this page's own storage,
 * for browsers that block the frame's (third-party) storage, and hands it only to
 * the frame, by origin. */
(function () {
  var me = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!me || window.__switchboardLoaded) return;
  window.__switchboardLoaded = true;
  var origin = new URL(me.src, location.href).origin;
  var inbox = me.getAttribute('data-inbox') || '';
  var locale = '';
  var frame, ready = false, queue = [];
  var earlier = (window.Switchboard && window.Switchboard.q) || [];
  var listeners = { ready: [], open: [], close: [], message: [], unread: [] };
  function key() { return 'switchboard:' + inbox; }

  function saved() {
    try { return JSON.parse(localStorage.getItem(key()) || 'null'); } catch (e) { return null; }
  }
  function keep(data) {
    try {
      if (data && typeof data.token === 'string') {
        localStorage.setItem(key(), JSON.stringify({ token: data.token, conv: typeof data.conv === 'number' ? data.conv : null }));
      }
    } catch (e) { /* this page's storage is blocked too: nothing to keep */ }
  }
  function forget() {
    try { localStorage.removeItem(key()); } catch (e) { /* nothing kept */ }
  }
  function emit(name, value) {
    (listeners[name] || []).forEach(function (f) {
      try { f(value); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function post(type, data) {
    if (ready) frame.contentWindow.postMessage({ sb: type, data: data }, origin);
    else queue.push([type, data]);
  }
  var side = 'right', isOpen = false;
  function place() {
    var s = frame.style;
    // On a phone the open chat covers the page: the host never peeks around it.
    var phone = window.innerWidth < 480;
    var inset = isOpen && phone ? '0' : '12px';
    s.bottom = inset;
    s.left = side === 'left' ? inset : ''; s.right = side === 'left' ? '' : inset;
    s.width = !isOpen ? '76px' : phone ? '100vw' : 'min(380px, calc(100vw - 24px))';
    s.height = !isOpen ? '76px' : phone ? '100dvh' : 'min(620px, calc(100vh - 24px))';
  }
  function size(open) {
    var was = isOpen;
    isOpen = open;
    place();
    if (open !== was) emit(open ? 'open' : 'close');
  }
  window.addEventListener('resize', function () { if (frame) place(); });
  function mount() {
    if (frame || !inbox) return;
    if (!document.body) { document.addEventListener('DOMContentLoaded', mount); return; }
    frame = document.createElement('iframe');
    frame.src = origin + '/widget/frame?inbox=' + encodeURIComponent(inbox) +
      (locale ? '&locale=' + encodeURIComponent(locale) : '');
    // The frame's name on the host page, in the widget's language.
    frame.title = /^(nb|no|nn)\b/i.test(locale || navigator.language || '') ? 'Chat med kundeservice' : 'Chat with support';
    frame.setAttribute('data-switchboard', '');
    var s = frame.style;
    s.position = 'fixed'; s.border = '0';
    s.zIndex = '2147483000'; s.background = 'transparent'; s.colorScheme = 'normal';
    size(false);
    document.body.appendChild(frame);
  }
  window.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    var d = e.data || {};
    if (d.sb === 'ready') {
      frame.contentWindow.postMessage({ sb: 'store', data: saved() }, origin);
      ready = true;
      queue.splice(0).forEach(function (m) { post(m[0], m[1]); });
      emit('ready');
    } else if (d.sb === 'save') {
      keep(d.data);
    } else if (d.sb === 'size') {
      size(!!d.open);
    } else if (d.sb === 'layout') {
      // The inbox's launcher side, from its settings.
      side = d.side === 'left' ? 'left' : 'right';
      place();
    } else if (d.sb === 'unread') {
      emit('unread', typeof d.count === 'number' ? d.count : 0);
    } else if (d.sb === 'message') {
      // A new message from support: who wrote it and what (text only).
      emit('message', { author: String(d.author || ''), body: String(d.body || '') });
    }
  });

  /** The signed-in user (and the signature the host's backend computed) as the
   *  widget's identify call takes it. */
  function identity(opts) {
    var who = {}, user = opts.user || {};
    for (var k in user) if (Object.prototype.hasOwnProperty.call(user, k)) who[k] = user[k];
    if (opts.signature) who.signature = opts.signature;
    return who;
  }
  function apply(opts) {
    if (opts.user) post('identify', identity(opts));
    if (opts.context) post('context', opts.context);
  }
  var commands = {
    boot: function (opts) {
      opts = opts || {};
      if (opts.inbox) inbox = String(opts.inbox);
      if (opts.locale) locale = String(opts.locale);
      mount();
      apply(opts);
    },
    update: function (opts) { apply(opts || {}); },
    open: function () { post('open', true); },
    close: function () { post('close', true); },
    toggle: function () { post(isOpen ? 'close' : 'open', true); },
    // The host page's user logged out: forget the visitor here and in the frame.
    shutdown: function () { forget(); post('shutdown', true); },
    on: function (name, callback) {
      if (listeners[name] && typeof callback === 'function') listeners[name].push(callback);
    },
  };
  function Switchboard(name, a, b) {
    var f = commands[name];
    if (f) return f(a, b);
    if (window.console) console.warn('Switchboard: unknown command ' + name);
  }
  Switchboard.identify = function (who) { post('identify', who || {}); };
  Switchboard.setContext = function (ctx) { post('context', ctx || {}); };
  Switchboard.open = commands.open;
  window.Switchboard = Switchboard;
  // Calls queued before this script: the stub's ('boot', {...}) and the older
  // [['identify', {...}]] form alike.
  earlier.forEach(function (c) {
    if (commands[c[0]]) Switchboard(c[0], c[1], c[2]);
    else if (Switchboard[c[0]]) Switchboard[c[0]](c[1]);
  });
  mount();
})();
