// A customer's website on another origin: a plain HTML page that embeds the widget
// with the one-line snippet. Usage: node host-server.mjs PORT SWITCHBOARD_ORIGIN
import http from 'node:http';

const [port, switchboard] = [Number(process.argv[2] ?? 3101), process.argv[3] ?? 'http://127.0.0.1:3100'];
http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://host');
    if (url.pathname === '/app') {
      // A signed-in web app that boots the widget through the stub and the API.
      const inbox = (url.searchParams.get('inbox') ?? 'demo-support').replace(/[^\w-]/g, '');
      const locale = (url.searchParams.get('locale') ?? '').replace(/[^\w-]/g, '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html>
<html lang="en"><head><title>Acme App</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Acme App</h1>
<button type="button" id="help">Get help</button>
<button type="button" id="logout">Log out</button>
<p>Unread: <output id="unread">0</output></p>
<ol id="log"></ol>
<script>
  window.Switchboard = window.Switchboard || function () { (Switchboard.q = Switchboard.q || []).push(arguments); };
  function log(text) { var li = document.createElement('li'); li.textContent = text; document.getElementById('log').appendChild(li); }
  Switchboard('boot', { inbox: '${inbox}', locale: '${locale}',
    user: { external_id: 'app-user-9', name: 'Pat Appuser', email: 'pat@example.com', attributes: { plan: 'Team' } },
    context: { type: 'page', id: 'billing', label: 'Billing page' } });
  Switchboard('on', 'ready', function () { log('ready'); });
  Switchboard('on', 'open', function () { log('open'); });
  Switchboard('on', 'close', function () { log('close'); });
  Switchboard('on', 'message', function (m) { log('message from ' + m.author + ': ' + m.body); });
  Switchboard('on', 'unread', function (n) { document.getElementById('unread').textContent = String(n); });
  document.getElementById('help').onclick = function () { Switchboard('open'); };
  document.getElementById('logout').onclick = function () { Switchboard('shutdown'); log('logged out'); };
</script>
<script src="${switchboard}/widget.js" async></script>
</body></html>`);
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    const inbox = (url.searchParams.get('inbox') ?? 'demo-support').replace(/[^\w-]/g, '');
    // Tests may point the widget at a proxy in front of the server (a loopback origin).
    const sb = url.searchParams.get('sb') ?? '';
    const server = /^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(sb) ? sb : switchboard;
    const identify = url.searchParams.get('identify') === '1';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html>
<html><head><title>Acme Store</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { font-family: serif; background: #fdf6e3; } * { color: red !important; }</style></head>
<body><h1>Acme Store</h1><p>Order #1234 is on its way.</p>
${identify ? `<script>window.Switchboard = { q: [
  ['identify', { external_id: 'cust-77', name: 'Robin Buyer', email: 'robin@example.com', phone: '+1 555 0100', role: 'Merchant', attributes: { progress: 'Lesson 3 of 5', plan: 'Pro' } }],
  ['setContext', { type: 'transaction', id: 'T-1234', label: 'Order #1234', url: 'https://acme.example/orders/1234' }]
] };</script>` : ''}
<script src="${server}/widget.js" data-inbox="${inbox}" async></script>
</body></html>`);
  })
  .listen(port, '127.0.0.1');
