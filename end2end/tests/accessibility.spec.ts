import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk, ADMIN } from './helpers';

/** axe-core's WCAG 2 A and AA rules on the page as it is now: no violations. */
async function axeClean(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(found).toEqual([]);
}

async function signedIn(browser: Browser, who: { email: string; password: string }, colorScheme: 'light' | 'dark') {
  const page = await (await browser.newContext({ colorScheme, viewport: { width: 1366, height: 860 } })).newPage();
  await loginOk(page, who.email, who.password);
  return page;
}

// One test per group of pages and colour scheme, so each stays well inside its timeout.
for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core: login and the workspace with a chat open (${scheme})`, async ({ browser }) => {
    const login = await (await browser.newContext({ colorScheme: scheme })).newPage();
    await login.goto('/login');
    await hydrated(login);
    await axeClean(login, 'login');
    const page = await signedIn(browser, { email: 'sam.supervisor@example.com', password: 'supervisor-demo-pass' }, scheme);
    await page.locator('.queue-list a.queue-row').first().click();
    await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
    await expect(page.locator('.customer-panel dl').first()).toBeVisible();
    await axeClean(page, 'workspace');
    await page.getByText('More', { exact: true }).click();
    await axeClean(page, 'workspace with More open');
    // The reply box's canned-response picker, the command bar and the shortcut list.
    await page.getByRole('textbox', { name: 'Reply' }).fill('/');
    await expect(page.getByRole('listbox', { name: 'Canned responses' })).toBeVisible();
    await axeClean(page, 'canned picker');
    await page.getByRole('textbox', { name: 'Reply' }).fill('');
    await page.keyboard.press('Control+k');
    await expect(page.getByRole('dialog', { name: 'Command bar' })).toBeVisible();
    await axeClean(page, 'command bar');
    await page.keyboard.press('Escape');
    await page.locator('h1').first().click();
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await axeClean(page, 'shortcuts');
  });

  test(`axe-core: the conversation table (${scheme})`, async ({ browser }) => {
    const page = await signedIn(browser, { email: 'sam.supervisor@example.com', password: 'supervisor-demo-pass' }, scheme);
    await page.goto('/conversations');
    await hydrated(page);
    await expect(page.locator('table.conversations tbody tr').first()).toBeVisible();
    await axeClean(page, 'table');
    await page.goto('/mentions');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Mentions' })).toBeVisible();
    await axeClean(page, 'mentions');
  });

  test(`axe-core: the team, requests and team chat pages, and a chat on its own page (${scheme})`, async ({ browser }) => {
    const page = await signedIn(browser, { email: 'sam.supervisor@example.com', password: 'supervisor-demo-pass' }, scheme);
    for (const path of ['/team', '/dashboard', '/reports', '/requests', '/team-chat']) {
      await page.goto(path);
      await hydrated(page);
      await expect(page.locator('main h1, main h2').first()).toBeVisible();
      await axeClean(page, path);
    }
    await page.goto('/conversations');
    await hydrated(page);
    const first = page.locator('table.conversations tbody tr a').first();
    const href = await first.getAttribute('href');
    await page.goto(href!.replace('/inbox/', '/conversations/'));
    await hydrated(page);
    await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
    await axeClean(page, 'a chat on its own page');
  });

  // Nine pages, each loaded, hydrated and checked (about two seconds each): in two
  // tests, so that neither comes near its timeout on a slow machine.
  const sections = [
    ['the profile, canned responses, agents and inboxes settings', ['/settings/profile', '/settings/canned', '/settings/agents', '/settings/inboxes', '/settings/inboxes/1']],
    ['the data, platform and audit settings', ['/settings/data', '/settings/api', '/settings/webhooks', '/admin/audit']],
  ] as const;
  for (const [what, paths] of sections) {
    test(`axe-core: ${what} (${scheme})`, async ({ browser }) => {
      const admin = await signedIn(browser, ADMIN, scheme);
      for (const path of paths) {
        await admin.goto(path);
        await hydrated(admin);
        await expect(admin.getByRole('heading', { level: 2 }).first()).toBeVisible();
        await axeClean(admin, path);
      }
    });
  }
}

test("axe-core finds nothing in the widget, closed and open (the host page's own styles aside)", async ({ page }) => {
  const host = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';
  await page.goto(`${host}/?inbox=demo-support`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  const check = async (what: string) => {
    const result = await new AxeBuilder({ page }).include('iframe[data-switchboard]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(result.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ') + ' ' + (n.failureSummary ?? '').replace(/\s+/g, ' ')).join(', ')}`)).toEqual([]);
  };
  await expect(widget.getByRole('button', { name: 'Open chat' })).toBeVisible();
  await check('closed');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill('Is this accessible?');
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)')).toHaveCount(1);
  await check('open');
});
