import { expect, Page, test } from '@playwright/test';

// Tests open extra browser contexts (a customer, colleagues). The browser lives for the
// whole worker, so close them after each test: otherwise their pages, streams and
// timers pile up and slow every later test down.
test.afterEach(async ({ browser }) => {
  await Promise.all(browser.contexts().map((c) => c.close().catch(() => undefined)));
});

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
export async function loginOk(page: Page, email: string, password: string) {
  await login(page, email, password);
  await page.waitForURL((url) => url.pathname === '/');
  await hydrated(page);
}
