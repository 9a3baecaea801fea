import type { Browser, Page, FrameLocator } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';
const ALEX = ['alex.operator@example.com', 'operator-demo-pass'] as const;
const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

async function console_(browser: Browser, [email, password]: readonly [string, string]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, email, password);
  await expect(page.locator('.connection')).toHaveText('live');
  return page;
}

/** A customer on the host site who has written `text`. */
async function customer(browser: Browser, text: string, query = ''): Promise<{ page: Page; widget: FrameLocator }> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${HOST}/?inbox=demo-support${query}`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
  return { page, widget };
}

async function openChat(agent: Page, text: string) {
  await agent.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(agent);
  await agent.getByRole('link', { name: text }).first().click();
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(agent.getByRole('toolbar', { name: 'Conversation actions' })).toBeVisible();
}

test('accept from the in-app alert; a slower colleague is told who took it', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const sam = await console_(browser, SAM);
  const text = `Can someone help? ${Date.now()}`;
  const { widget } = await customer(browser, text);

  const alert = alex.locator('.alert', { hasText: 'New chat from' });
  await expect(alert).toBeVisible();
  await expect(sam.locator('.alert', { hasText: 'New chat from' })).toBeVisible();
  // The alert says where the chat is and what the customer wrote first.
  await expect(alert.locator('.alert-about')).toContainText('Support');
  await expect(alert.locator('.alert-line')).toHaveText(text);
  await expect(alert.getByRole('button', { name: 'Open' })).toBeVisible();
  await alert.getByRole('button', { name: 'Accept' }).click();
  await expect(alex).toHaveURL(/\/inbox\/\d+$/);
  await expect(alex.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(alex.getByTestId('assignee')).toContainText('Assigned to Alex Operator');
  await expect(alex.locator('.status-badge')).toHaveText('Open');
  await expect(widget.locator('.messages')).toContainText('Alex Operator joined the chat');
  await expect(sam.locator('.alert', { hasText: 'New chat from' })).toContainText('Alex Operator took this chat');
});

test('a supervisor assigns a chat to an operator, who sees it live', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const sam = await console_(browser, SAM);
  const text = `Please route me ${Date.now()}`;
  const { widget } = await customer(browser, text);
  await openChat(sam, text);
  await sam.getByLabel('Assign to').selectOption({ label: 'Alex Operator (Online)' });
  await sam.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(sam.getByTestId('assignee')).toContainText('Assigned to Alex Operator');

  const alert = alex.locator('.alert', { hasText: 'Sam Supervisor assigned you a chat' });
  await expect(alert).toBeVisible();
  await alert.getByRole('button', { name: 'Open' }).click();
  await expect(alex.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(alex.getByRole('list', { name: 'Messages' })).toContainText('Sam Supervisor assigned the chat to Alex Operator');
  await expect(widget.locator('.messages')).toContainText('Alex Operator joined the chat');
  await expect(widget.locator('.messages')).not.toContainText('assigned the chat');
});

test('move a chat to the other inbox', async ({ browser }) => {
  const sam = await console_(browser, SAM);
  const text = `Wrong department ${Date.now()}`;
  const { widget } = await customer(browser, text);
  await openChat(sam, text);
  await expect(sam.getByTestId('assignee')).toContainText('Support · Unassigned');
  await sam.getByText('More', { exact: true }).click();
  await sam.getByLabel('Move to inbox').selectOption({ label: 'Billing' });
  await sam.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(sam.getByTestId('assignee')).toContainText('Billing · Unassigned');
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText('Sam Supervisor moved the chat to Billing');
  await expect(widget.locator('.messages')).toContainText('moved the chat to Billing');
  await sam.goto('/conversations?inbox=2&q=' + encodeURIComponent(text));
  await expect(sam.locator('table.conversations tbody tr', { hasText: text })).toHaveCount(1);
});

test('solve a chat, and find it by its close reason', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const text = `Solved soon ${Date.now()}`;
  const { widget } = await customer(browser, text);
  await openChat(alex, text);
  await alex.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Accept' }).click();
  await expect(alex.getByTestId('assignee')).toContainText('Assigned to Alex Operator');
  // Once the chat is Alex's, solving it is the one primary action.
  const solve = alex.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Mark as solved' });
  await expect(solve).toHaveClass(/primary/);
  await solve.click();
  await expect(alex.locator('.status-badge')).toHaveText('Solved');
  await expect(widget.locator('.state')).toHaveText('Solved — write to reopen');
  await alex.goto('/conversations?group=closed&reason=solved&q=' + encodeURIComponent(text));
  const row = alex.locator('table.conversations tbody tr', { hasText: text });
  await expect(row).toHaveCount(1);
  await expect(row.locator('.status')).toHaveText('Solved');
  await alex.goto('/conversations?group=closed&reason=cancelled&q=' + encodeURIComponent(text));
  await expect(alex.locator('table.conversations tbody tr', { hasText: text })).toHaveCount(0);
});

test('cancel a chat: the customer sees the notice', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const text = `Never mind ${Date.now()}`;
  const { widget } = await customer(browser, text);
  await openChat(alex, text);
  // Cancelling tells the customer, so it asks first; "Keep chatting" changes nothing.
  await alex.getByText('More', { exact: true }).click();
  await alex.getByRole('button', { name: 'Cancel chat…' }).click();
  const ask = alex.getByRole('alertdialog', { name: 'Cancel this chat?' });
  await ask.getByRole('button', { name: 'Keep chatting' }).click();
  await expect(ask).toHaveCount(0);
  await expect(alex.locator('.status-badge')).not.toHaveText('Cancelled');
  await alex.getByRole('button', { name: 'Cancel chat…' }).click();
  await ask.getByRole('button', { name: 'Yes, cancel the chat' }).click();
  await expect(alex.locator('.status-badge')).toHaveText('Cancelled');
  await expect(widget.locator('.messages')).toContainText('This chat was cancelled by support.');
  await expect(widget.locator('.state')).toHaveText('Cancelled by support — write to reopen');
});

test('delete a chat after confirming; the customer sees it ended', async ({ browser }) => {
  const sam = await console_(browser, SAM);
  const text = `Please forget me ${Date.now()}`;
  const { widget } = await customer(browser, text);
  await openChat(sam, text);
  const url = sam.url();
  await sam.getByText('More', { exact: true }).click();
  await sam.getByRole('button', { name: 'Delete chat' }).click();
  const dialog = sam.getByRole('alertdialog', { name: 'Delete this chat?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toHaveCount(0);
  await sam.getByRole('button', { name: 'Delete chat' }).click();
  await dialog.getByRole('button', { name: 'Delete for good' }).click();
  await expect(sam).toHaveURL(/\/conversations$/);
  await expect(widget.locator('.state')).toHaveText('This chat has ended');
  await expect(widget.locator('.messages')).not.toContainText(text);
  await sam.goto(url);
  await expect(sam.getByRole('heading', { name: 'Conversation not found' })).toBeVisible();
});

test('export one chat from its menu and from the list; the CSV parses', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const text = `=cmd|' /C calc'!A0 export ${Date.now()}`;
  await customer(browser, text);
  await openChat(alex, text);
  await alex.getByText('More', { exact: true }).click();
  const [download] = await Promise.all([alex.waitForEvent('download'), alex.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^conversation-\d+\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toBe('timestamp,author,author_role,visibility,message,attachments');
  const row = lines.find((l) => l.includes('export'))!;
  expect(row).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,Visitor,customer,public,/);
  expect(row).toContain(`'=cmd`);

  await alex.goto('/conversations?q=' + encodeURIComponent('export'));
  await hydrated(alex);
  const listRow = alex.locator('table.conversations tbody tr', { hasText: text });
  const [fromList] = await Promise.all([alex.waitForEvent('download'), listRow.getByRole('link', { name: /^Export chat #\d+ as CSV$/ }).click()]);
  expect(readFileSync(await fromList.path(), 'utf8')).toContain(`'=cmd`);
});

test('the customer panel shows what identify and setContext passed', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const text = `About my order ${Date.now()}`;
  await customer(browser, text, '&identify=1');
  await openChat(alex, text);
  const panel = alex.getByRole('complementary', { name: 'Customer' });
  await expect(panel.locator('.customer-name')).toHaveText('Robin Buyer');
  await expect(panel.locator('.avatar')).toHaveText('RB');
  for (const value of ['cust-77', 'robin@example.com', '+1 555 0100', 'Merchant', 'Lesson 3 of 5', 'Pro']) {
    await expect(panel).toContainText(value);
  }
  await expect(panel.locator('.presence')).toHaveText('Online');
  const link = panel.getByRole('link', { name: 'Order #1234' });
  await expect(link).toHaveAttribute('href', 'https://backoffice.example/transaction/T-1234');
});

test('availability: an agent goes Away and the supervisor sees it live', async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const sam = await console_(browser, SAM);
  await sam.getByRole('link', { name: 'Team', exact: true }).click();
  const row = sam.locator('table.team tr', { hasText: 'Alex Operator' });
  await expect(row.locator('.presence')).toHaveText('Online');
  await alex.getByLabel('Your availability').selectOption('away');
  await expect(row.locator('.presence')).toHaveText('Away');
  await alex.getByLabel('Your availability').selectOption('online');
  await expect(row.locator('.presence')).toHaveText('Online');
  await expect(alex.getByRole('link', { name: 'Team', exact: true })).toHaveCount(0);
});

test("the widget's header shows who is answering once they join", async ({ browser }) => {
  const alex = await console_(browser, ALEX);
  const text = `Who is there? ${Date.now()}`;
  const { widget } = await customer(browser, text);
  const agent = widget.locator('.head .agent');
  await expect(widget.locator('.state')).toHaveText('Waiting for an agent');
  await expect(agent).toBeHidden();
  await openChat(alex, text);
  await alex.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Accept' }).click();
  await expect(agent).toBeVisible();
  await expect(agent).toHaveText('AOAlex Operator');
  await expect(widget.locator('.state')).toHaveText('Open');
  // The same after a reload of the host page: it comes with the thread.
  await widget.locator('body').evaluate(() => location.reload());
  await expect(widget.locator('.head .agent .agent-name')).toHaveText('Alex Operator');
});
