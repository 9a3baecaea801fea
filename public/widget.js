/* Switchboard widget loader. Embed with:
 *   <script src="https://HOST/widget.js" data-inbox="PUBLIC_INBOX_KEY" async></script>
 * It adds one iframe (the chat runs inside it, isolated from this page's CSS and JS)
 * and the API Switchboard.identify / Switchboard.setContext. Calls made before this
 * script loads can be queued in window.Switchboard.q. It keeps a copy of the
 * visitor's token in this page's own storage, for browsers that block the frame's
 * (third-party) storage, and hands it only to the frame, by origin. */
(function () {
  var me = document.currentScript || document.querySelector('script[data-inbox]');
  if (!me || window.__switchboardLoaded) return;
  window.__switchboardLoaded = true;
  var origin = new URL(me.src, location.href).origin;
  var inbox = me.getAttribute('data-inbox') || '';
  var frame, ready = false, queue = [];
  var earlier = (window.Switchboard && window.Switchboard.q) || [];
  var key = 'switchboard:' + inbox;

  function saved() {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function keep(data) {
    try {
      if (data && typeof data.token === 'string') {
        localStorage.setItem(key, JSON.stringify({ token: data.token, conv: typeof data.conv === 'number' ? data.conv : null }));
      }
    } catch (e) { /* this page's storage is blocked too: nothing to keep */ }
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
  function size(open) { isOpen = open; place(); }
  window.addEventListener('resize', function () { if (frame) place(); });
  function mount() {
    frame = document.createElement('iframe');
    frame.src = origin + '/widget/frame?inbox=' + encodeURIComponent(inbox);
    frame.title = 'Chat with support';
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
    } else if (d.sb === 'save') {
      keep(d.data);
    } else if (d.sb === 'size') {
      size(!!d.open);
    } else if (d.sb === 'layout') {
      // The inbox's launcher side, from its settings.
      side = d.side === 'left' ? 'left' : 'right';
      place();
    }
  });
  window.Switchboard = {
    identify: function (who) { post('identify', who || {}); },
    setContext: function (ctx) { post('context', ctx || {}); },
    open: function () { post('open', true); },
  };
  earlier.forEach(function (c) { var f = window.Switchboard[c[0]]; if (f) f(c[1]); });
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
