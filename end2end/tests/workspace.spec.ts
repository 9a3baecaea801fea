import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk } from './helpers';

const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

async function signedIn(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await loginOk(page, SAM[0], SAM[1]);
  return page;
}

/** Starts a chat through the widget API with one customer message; returns its id. */
async function startChat(page: Page, name: string, text: string): Promise<number> {
  const token = `ws-${name.replace(/\W/g, '')}-${Date.now()}-abcdefghijkl`;
  const start = await page.request.post('/api/widget/conversations', { data: { inbox: 'demo-support', token, name } });
  expect(start.ok()).toBeTruthy();
  const id = (await start.json()).conversation.id;
  const sent = await page.request.post(`/api/widget/conversations/${id}/messages`, {
    headers: { authorization: `Bearer ${token}` },
    data: { client_id: 'q1', body: text },
  });
  expect(sent.status()).toBe(201);
  return id;
}

test('work a queue with the keyboard alone: open, reply, next chat, without a page load', async ({ browser }) => {
  const page = await signedIn(browser);
  const tag = `Kb${Date.now()}`;
  const older = await startChat(page, `${tag} Older`, `${tag} first question`);
  const newer = await startChat(page, `${tag} Newer`, `${tag} second question`);
  await page.goto(`/inbox?q=${tag}`);
  await hydrated(page);
  const rows = page.locator('.queue-list a.queue-row');
  await expect(rows).toHaveCount(2);
  // A marker on the window: a full page load would wipe it.
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  // ↑/↓ move between rows; Enter opens the focused one beside the queue.
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(rows.first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/inbox/${newer}\\?`));
  await expect(rows.first()).toHaveAttribute('aria-current', 'page');
  const reply = page.getByRole('textbox', { name: 'Reply' });
  await expect(reply).toBeFocused();
  await page.keyboard.type(`${tag} answer one`);
  await page.keyboard.press('Enter');
  const messages = page.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('.msg:not(.pending)', { hasText: `${tag} answer one` })).toHaveCount(1);

  // Alt+↓ opens the next chat from the reply box, which takes the focus again.
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/inbox/${older}\\?`));
  await expect(messages).toContainText(`${tag} first question`);
  await expect(reply).toBeFocused();
  await page.keyboard.type(`${tag} answer two`);
  await page.keyboard.press('Enter');
  await expect(messages.locator('.msg:not(.pending)', { hasText: `${tag} answer two` })).toHaveCount(1);
  // The queue is live, by latest activity: the chat just answered moves to the top.
  await expect(rows.first()).toContainText(`${tag} Older`);
  await expect(rows.first()).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/inbox/${newer}\\?`));
  await expect(messages).toContainText(`${tag} answer one`);
  // Alt+↑ goes back up the queue.
  await page.keyboard.press('Alt+ArrowUp');
  await expect(page).toHaveURL(new RegExp(`/inbox/${older}\\?`));
  await expect(messages).toContainText(`${tag} answer two`);

  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  // The replies reached the store: a reload of the chat shows them.
  await page.reload();
  await hydrated(page);
  await expect(messages).toContainText(`${tag} answer two`);
});

test('agents land on their work after login', async ({ browser }) => {
  // Jo has open chats of her own: My chats.
  const jo = await (await browser.newContext()).newPage();
  await loginOk(jo, 'jo.operator@example.com', 'operator-demo-pass');
  await expect(jo).toHaveURL(/\/inbox\?group=mine$/);
  await expect(jo.getByRole('heading', { name: 'My chats' })).toBeVisible();
  await expect(jo.locator('.queue-list a.queue-row').first()).toBeVisible();
});

test('the conversation table fits a 1366 px screen, and the column picker brings columns back', async ({ browser }) => {
  const page = await signedIn(browser, { viewport: { width: 1366, height: 860 } });
  await page.goto('/conversations');
  await hydrated(page);
  await expect(page.locator('table.conversations tbody tr').first()).toBeVisible();
  const fits = () =>
    page.evaluate(() =>
      [document.scrollingElement!, document.querySelector('.content')!].every((e) => e.scrollWidth <= e.clientWidth),
    );
  expect(await fits()).toBe(true);
  const phone = page.getByRole('columnheader', { name: 'Phone' });
  await expect(phone).toBeHidden();
  await page.getByText('Columns', { exact: true }).click();
  await page.getByRole('checkbox', { name: 'Phone' }).check();
  await expect(phone).toBeVisible();
  expect(await fits()).toBe(true);
  // The choice is kept.
  await page.reload();
  await hydrated(page);
  await expect(phone).toBeVisible();
});

test('dark mode follows the system, and the toggle is remembered', async ({ browser }) => {
  const background = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await signedIn(browser, { colorScheme: 'dark' });
  expect(await background(dark)).toBe('rgb(18, 22, 31)');

  const page = await signedIn(browser, { colorScheme: 'light' });
  expect(await background(page)).toBe('rgb(245, 246, 248)');
  const toggle = page.getByRole('button', { name: 'Dark mode' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await background(page)).toBe('rgb(18, 22, 31)');
  await page.reload();
  await hydrated(page);
  // Rendered dark by the server (the cookie), not repainted after load.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe('rgb(18, 22, 31)');
  await page.getByRole('button', { name: 'Dark mode' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('on a phone, one pane at a time with a way back', async ({ browser }) => {
  const page = await signedIn(browser, { viewport: { width: 390, height: 844 } });
  const tag = `Ph${Date.now()}`;
  await startChat(page, `${tag} Phone`, `${tag} hello from a phone`);
  await page.goto(`/inbox?q=${tag}`);
  await hydrated(page);
  const queue = page.locator('.queue');
  await expect(queue).toBeVisible();
  await page.locator('.queue-list a.queue-row').first().click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(`${tag} hello from a phone`);
  await expect(queue).toBeHidden();
  await page.getByRole('link', { name: '← All chats' }).click();
  await expect(queue).toBeVisible();
  await expect(page.getByRole('list', { name: 'Messages' })).toBeHidden();
});

test('on a tablet, the customer panel is a drawer beside the chat', async ({ browser }) => {
  const page = await signedIn(browser, { viewport: { width: 768, height: 1024 } });
  const tag = `Tab${Date.now()}`;
  const id = await startChat(page, `${tag} Tablet`, `${tag} hello from a tablet`);
  await page.goto(`/inbox/${id}?q=${tag}`);
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(`${tag} hello from a tablet`);
  const panel = page.getByRole('complementary', { name: 'Customer' });
  const toggle = page.getByRole('button', { name: 'Customer' });
  await expect(panel).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(panel).toBeVisible();
  await expect(panel).toContainText(`${tag} Tablet`);
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  // The page itself never scrolls sideways.
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
});
