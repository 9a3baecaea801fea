// Regenerates the README's screenshots from the demo: the workspace, a conversation,
// the settings area and the widget on a host page (desktop and phone), in light and
// dark mode. Usage, from the repository root after a build (see scripts/screenshots.sh):
//   node end2end/screenshots.mjs [SERVER_BINARY]
// The PNGs go to docs/screenshots/.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

const BIN = process.argv[2] ?? 'target/debug/switchboard';
const PORT = 3200;
const HOST_PORT = 3201;
const BASE = `http://127.0.0.1:${PORT}`;
const OUT = 'docs/screenshots';

async function until(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

rmSync('target/shots', { recursive: true, force: true });
mkdirSync('target/shots', { recursive: true });
mkdirSync(OUT, { recursive: true });
const server = spawn(BIN, ['serve', '--demo', '--bind', `127.0.0.1:${PORT}`, '--database-url', 'sqlite://target/shots/demo.db',
  '--data-dir', 'target/shots/files'], { env: { ...process.env, LEPTOS_SITE_ROOT: 'target/site', RUST_LOG: 'warn' }, stdio: 'inherit' });
const host = spawn('node', ['end2end/host-server.mjs', String(HOST_PORT), BASE], { stdio: 'inherit' });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  await until(`${BASE}/healthz`);
  await until(`http://127.0.0.1:${HOST_PORT}/`);
  const hydrated = (page) => page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });

  // A customer writes first, so the workspace has a live chat to show.
  const customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await customer.goto(`http://127.0.0.1:${HOST_PORT}/?inbox=demo-support&identify=1`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill('Hi! My order #1234 says delivered, but nothing arrived.');
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await widget.locator('.msg-customer:not(.pending)').first().waitFor();

  for (const scheme of ['light', 'dark']) {
    const agent = await (await browser.newContext({ viewport: { width: 1366, height: 860 }, colorScheme: scheme })).newPage();
    await agent.goto(`${BASE}/login`);
    await hydrated(agent);
    await agent.getByLabel('Email').fill('alex.operator@example.com');
    await agent.getByLabel('Password').fill('operator-demo-pass');
    await agent.getByRole('button', { name: 'Log in' }).click();
    await agent.waitForURL((u) => u.pathname === '/inbox');
    await agent.goto(`${BASE}/inbox?group=unassigned`);
    await hydrated(agent);
    await agent.locator('.queue-list a.queue-row').first().waitFor();
    await agent.screenshot({ path: `${OUT}/workspace-${scheme}.png` });
    await agent.locator('.queue-list a.queue-row').first().click();
    await agent.getByRole('list', { name: 'Messages' }).waitFor();
    await agent.locator('.customer-panel').waitFor();
    await agent.screenshot({ path: `${OUT}/conversation-${scheme}.png` });
    // The reply box's canned-response picker, and the command bar.
    await agent.getByRole('textbox', { name: 'Reply' }).fill('/');
    await agent.getByRole('listbox', { name: 'Canned responses' }).waitFor();
    await agent.screenshot({ path: `${OUT}/canned-${scheme}.png` });
    await agent.getByRole('textbox', { name: 'Reply' }).fill('');
    await agent.keyboard.press('Control+k');
    await agent.getByRole('combobox', { name: 'Jump to a chat or run an action' }).fill('Tom');
    await agent.locator('#command-results [role=option]').first().waitFor();
    await agent.screenshot({ path: `${OUT}/command-bar-${scheme}.png` });
    await agent.keyboard.press('Escape');

    const admin = await (await browser.newContext({ viewport: { width: 1366, height: 860 }, colorScheme: scheme })).newPage();
    await admin.goto(`${BASE}/login`);
    await hydrated(admin);
    await admin.getByLabel('Email').fill('admin@example.com');
    await admin.getByLabel('Password').fill('admin-demo-pass');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.waitForURL((u) => u.pathname === '/inbox');
    await admin.goto(`${BASE}/settings/inboxes/1`);
    await hydrated(admin);
    await admin.getByRole('region', { name: 'Widget appearance' }).waitFor();
    await admin.screenshot({ path: `${OUT}/settings-${scheme}.png` });
    // Routing, business hours and the survey, further down the same page.
    await admin.getByRole('heading', { name: 'Routing', exact: true }).scrollIntoViewIfNeeded();
    await admin.evaluate(() => document.querySelector('#routing-heading')?.scrollIntoView({ block: 'start' }));
    await admin.screenshot({ path: `${OUT}/routing-${scheme}.png` });
  }

  await customer.screenshot({ path: `${OUT}/widget-desktop.png` });
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(`http://127.0.0.1:${HOST_PORT}/?inbox=demo-support`);
  const small = phone.frameLocator('iframe[data-switchboard]');
  await small.getByRole('button', { name: 'Open chat' }).click();
  await small.getByRole('textbox', { name: 'Message' }).fill('Hi! Can I change the size of my order?');
  await small.getByRole('textbox', { name: 'Message' }).press('Enter');
  // Waiting unassigned: the customer sees their place in line.
  await small.locator('.queue').waitFor();
  await phone.screenshot({ path: `${OUT}/widget-phone.png` });
  console.log(`screenshots written to ${OUT}/`);
} finally {
  await browser.close();
  server.kill();
  host.kill();
}
