import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

async function supervisor(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'sam.supervisor@example.com', 'supervisor-demo-pass');
  await expect(page.locator('.me-name')).toHaveText('Sam Supervisor');
  return page;
}

/** Starts `n` conversations through the widget API, as many visitors would. */
async function visitors(page: Page, n: number, prefix: string) {
  for (let i = 0; i < n; i++) {
    const token = `${prefix}-visitor-${i}-${Date.now()}-abcdefghij`;
    const start = await page.request.post('/api/widget/conversations', {
      data: { inbox: 'demo-support', token, name: `${prefix} Person ${String(i).padStart(2, '0')}` },
    });
    expect(start.ok()).toBeTruthy();
    const id = (await start.json()).conversation.id;
    const sent = await page.request.post(`/api/widget/conversations/${id}/messages`, {
      headers: { authorization: `Bearer ${token}` },
      data: { client_id: `m${i}`, body: `${prefix} question number ${i}` },
    });
    expect(sent.status()).toBe(201);
  }
}

test('filter by status and date, search by name and by a word from a message', async ({ browser }) => {
  const page = await supervisor(browser);
  await page.getByRole('link', { name: 'All conversations', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Conversations' })).toBeVisible();
  const rows = page.locator('table.conversations tbody tr');
  await expect(rows.first()).toBeVisible();

  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('closed');
  await expect(page).toHaveURL(/status=closed/);
  await expect(rows.first()).toBeVisible();
  const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
  expect(statuses.length).toBeGreaterThan(0);
  expect(new Set(statuses)).toEqual(new Set(['closed']));

  // Chromium runs in UTC here, and the Started column shows UTC dates.
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  const startedDates = () => rows.locator('td:first-child').allTextContents();
  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('');
  await page.getByRole('combobox', { name: 'Started', exact: true }).selectOption('today');
  await expect(page).toHaveURL(/started=today/);
  await expect(rows.first()).toBeVisible();
  const today = await startedDates();
  expect(today.length).toBeGreaterThan(0);
  expect(today.every((d) => d.startsWith(day(0)))).toBe(true);
  await page.getByRole('combobox', { name: 'Started', exact: true }).selectOption('yesterday');
  await expect(page).toHaveURL(/started=yesterday/);
  await expect(page.locator('table.conversations, .empty').first()).toBeVisible();
  expect((await startedDates()).every((d) => d.startsWith(day(1)))).toBe(true);
  await page.goBack();
  await expect(page).toHaveURL(/started=today/);
  await expect(rows).toHaveCount(today.length);

  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('');
  await page.getByRole('combobox', { name: 'Started', exact: true }).selectOption('all');
  await page.getByRole('combobox', { name: 'Inbox', exact: true }).selectOption({ label: 'Billing' });
  await expect(page).toHaveURL(/inbox=/);
  await expect(rows.filter({ hasText: 'Aiko Tanaka' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Maria Lopez' })).toHaveCount(0);
  // The demo's older chats sit past the first 25 once earlier tests have added theirs.
  await page.getByRole('combobox', { name: 'Per page', exact: true }).selectOption('100');
  await page.getByRole('combobox', { name: 'Inbox', exact: true }).selectOption('');
  await expect(rows.filter({ hasText: 'Maria Lopez' })).toHaveCount(1);
  await page.getByLabel('Search conversations').fill('Aiko');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Aiko Tanaka');

  await page.getByLabel('Search conversations').fill('parcel');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(rows).toHaveCount(0);
  await page.getByLabel('Search conversations').fill('crashes');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Lena Fischer');
  // The search is in the URL: a reload keeps it.
  await page.reload();
  await hydrated(page);
  await expect(rows).toHaveCount(1);

  // Inside an open chat, the search highlights the hits.
  await rows.first().getByRole('link', { name: 'Lena Fischer' }).click();
  await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Search in this conversation').fill('PHOTO');
  await expect(page.locator('.messages mark')).toHaveText(['photo']);
  await expect(page.locator('.find [role=status]')).toHaveText('1 message match');
});

test('page through more than 60 chats', async ({ browser }) => {
  const page = await supervisor(browser);
  await visitors(page, 62, 'Pager');
  await page.goto('/conversations?q=pager');
  await hydrated(page);
  const rows = page.locator('table.conversations tbody tr');
  await expect(rows).toHaveCount(25);
  const seen = new Set<string>();
  const collect = async () => (await rows.locator('td:nth-child(3) a').allTextContents()).forEach((t) => seen.add(t));
  await collect();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(rows).toHaveCount(25);
  await collect();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(rows).toHaveCount(12);
  await collect();
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  expect(seen.size).toBe(62);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(rows).toHaveCount(25);
  await page.getByRole('combobox', { name: 'Per page', exact: true }).selectOption('100');
  await expect(rows).toHaveCount(62);
});

test('the red counter rises live when a customer writes; the unread badge clears when the agent opens the chat', async ({ browser }) => {
  const page = await supervisor(browser);
  const red = page.locator('.counters .badge.red');
  await expect(red).toBeVisible();
  const before = Number(await red.textContent());
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const text = `Counter check ${Date.now()}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(red).toHaveText(String(before + 1));
  // The row's unread badge shows until the agent opens the chat.
  await page.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(page);
  const row = page.locator('table.conversations tbody tr', { hasText: text });
  await expect(row.getByLabel('1 unread')).toBeVisible();
  await page.getByRole('link', { name: text }).click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(text);
  await page.goBack();
  await expect(row).toBeVisible();
  await expect(row.getByLabel('1 unread')).toHaveCount(0);
});

test("the operator's red counter falls when they open an unread chat of theirs", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'jo.operator@example.com', 'operator-demo-pass');
  await expect(page.locator('.me-name')).toHaveText('Jo Operator');
  const red = page.locator('.counters .badge.red');
  await expect(red).toBeVisible();
  const before = Number(await red.textContent());
  expect(before).toBeGreaterThan(0);
  await page.getByRole('link', { name: 'My chats' }).click();
  await expect(page).toHaveURL(/\/inbox\?group=mine/);
  // In the workspace's queue: an unread row, opened beside the queue.
  const unread = page.locator('.queue-list a.queue-row', { has: page.locator('.badge') });
  const rowsBefore = await unread.count();
  expect(rowsBefore).toBeGreaterThan(0);
  await unread.first().click();
  await expect(page).toHaveURL(/\/inbox\/\d+/);
  await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
  await expect(red).toHaveText(String(before - 1));
  // The queue itself follows: that row no longer shows an unread badge.
  await expect(unread).toHaveCount(rowsBefore - 1);
});
