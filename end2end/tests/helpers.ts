import { expect, Browser, FrameLocator, Page, test as base } from '@playwright/test';

/**
 * The `test` every spec uses. Tests open extra browser contexts (a customer,
 * colleagues) and the browser lives for the whole worker, so an automatic fixture
 * closes them after each test: otherwise their pages, streams and timers pile up
 * and slow every later test down. (This was a `test.afterEach` in this module, which
 * registered only for the first spec file that imported it: every later file leaked
 * its contexts, and the suite slowed down as it went.)
 */
export const test = base.extend<{ closeContexts: void }>({
  closeContexts: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((c) => c.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});
export { expect };

export const ADMIN = { email: 'admin@example.com', password: 'admin-demo-pass' };

/** Waits until the WASM has hydrated the page, so clicks reach Leptos' handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function login(page: Page, email: string, password: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Collects console errors and warnings (hydration mismatches show up there). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Logs in and waits until the console has loaded and hydrated. */
/** Logs in and waits for the landing: agents land on their work, the workspace. */
export async function loginOk(page: Page, email: string, password: string) {
  await login(page, email, password);
  await page.waitForURL((url) => url.pathname === '/inbox');
  await hydrated(page);
}

/**
 * A TCP proxy in front of the server, for dropping the network for real: `cut()`
 * destroys every open connection and refuses new ones (nothing listens on the port),
 * `restore()` listens again on the same port. Chromium's `setOffline` leaves an open
 * EventSource running, so it cannot test a reconnect.
 */
export async function tcpProxy(target: URL): Promise<{ origin: string; cut: () => Promise<void>; restore: () => Promise<void>; close: () => Promise<void> }> {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as import('node:net').AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await listen();
  return { origin: `http://127.0.0.1:${port}`, cut: stop, restore: listen, close: stop };
}

export const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

/** A new browser context signed in as this agent, its live stream up. */
export async function consoleAs(browser: Browser, [email, password]: readonly [string, string]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, email, password);
  await expect(page.locator('.connection')).toHaveText('live');
  return page;
}

export async function agentPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'alex.operator@example.com', 'operator-demo-pass');
  await expect(page.locator('.me-name')).toHaveText('Alex Operator');
  return page;
}

/** A customer on the host site, with the chat panel open. */
export async function customerWidget(browser: Browser, inbox = 'demo-support'): Promise<{ page: Page; widget: FrameLocator }> {
  const page = await (await browser.newContext()).newPage();
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  await page.goto(`${HOST}/?inbox=${inbox}`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  return { page, widget };
}

export async function customerSays(widget: FrameLocator, text: string) {
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
}

export async function openConversation(agent: Page, preview: string, inbox = 'Support') {
  await agent.locator('ul.inboxes > li > a', { hasText: inbox }).click();
  await agent.getByRole('link', { name: preview }).click();
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText(preview);
  await hydrated(agent);
}

export async function agentSays(agent: Page, text: string) {
  await agent.getByLabel('Reply').fill(text);
  await agent.getByLabel('Reply').press('Enter');
  await expect(agent.locator('.msg-agent:not(.pending)', { hasText: text })).toHaveCount(1);
}

