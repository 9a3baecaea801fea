import AxeBuilder from '@axe-core/playwright';
import { test, expect, HOST, agentPage, openConversation, agentSays } from './helpers';

test("a host app boots the widget with Switchboard('boot'), opens it, hears unread messages, and shuts it down", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${HOST}/app?inbox=demo-support`);
  const log = page.locator('#log');
  await expect(log).toContainText('ready');
  const widget = page.frameLocator('iframe[data-switchboard]');
  // Calls queued before the script loaded were kept: the host's button opens the chat.
  await page.getByRole('button', { name: 'Get help' }).click();
  await expect(log).toContainText('open');
  const hello = `Boot API ${Date.now()}`;
  const box = widget.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeFocused();
  await box.fill(hello);
  await box.press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: hello })).toHaveCount(1);

  // The booted user and context reached the console.
  const alex = await agentPage(browser);
  await openConversation(alex, hello);
  await expect(alex.locator('.customer-panel')).toContainText('Pat Appuser');
  await expect(alex.locator('.customer-panel')).toContainText('Billing page');

  // Esc closes the panel and gives the launcher the focus; a reply then counts as unread.
  await box.press('Escape');
  await expect(log).toContainText('close');
  const launcher = widget.locator('button.launcher');
  await expect(launcher).toBeFocused();
  const reply = `Unread reply ${Date.now()}`;
  await agentSays(alex, reply);
  await expect(page.locator('#unread')).toHaveText('1');
  await expect(log).toContainText(`message from Alex Operator: ${reply}`);
  await expect(launcher).toHaveAttribute('aria-label', 'Open chat, 1 unread message');
  await expect(widget.locator('.launcher .badge')).toHaveText('1');
  // Enter on the focused launcher opens it: everything is read.
  await page.keyboard.press('Enter');
  await expect(widget.locator('.messages')).toContainText(reply);
  await expect(page.locator('#unread')).toHaveText('0');

  // Logging out of the host app forgets the visitor: a fresh chat next time.
  const stored = async () => JSON.parse((await page.evaluate(() => localStorage.getItem('switchboard:demo-support'))) ?? 'null');
  const before = await stored();
  expect(before.conv).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(log).toContainText('logged out');
  await expect(widget.locator('.messages')).not.toContainText(reply);
  // The page keeps at most a new, unused token: never the old one or its chat.
  await expect.poll(async () => (await stored())?.token ?? null).not.toBe(before.token);
  expect((await stored())?.conv ?? null).toBeNull();
  await page.reload();
  await page.getByRole('button', { name: 'Get help' }).click();
  await expect(widget.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(widget.locator('.messages')).not.toContainText(hello);
});

test('the widget with the keyboard alone, in Norwegian, and axe-clean with its queue line', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${HOST}/app?inbox=demo-support&locale=nb-NO`);
  await expect(page.locator('#log')).toContainText('ready');
  const widget = page.frameLocator('iframe[data-switchboard]');
  const launcher = widget.getByRole('button', { name: 'Åpne chat' });
  await expect(launcher).toBeVisible();
  // Tab from the host page's own controls into the widget's launcher.
  await page.getByRole('button', { name: 'Log out' }).focus();
  await page.keyboard.press('Tab');
  await expect(launcher).toBeFocused();
  await page.keyboard.press('Enter');
  const box = widget.getByRole('textbox', { name: 'Melding' });
  await expect(box).toBeFocused();
  const text = `Tastatur ${Date.now()}`;
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
  // Waiting unassigned: the queue line, in Norwegian, is announced as a status.
  await expect(widget.getByRole('status').filter({ hasText: 'i køen' })).toContainText(/Du er nummer \d+ i køen/);
  await expect(widget.getByRole('heading', { name: 'Chat med oss' }).or(widget.locator('h1.title'))).toBeVisible();
  const result = await new AxeBuilder({ page }).include('iframe[data-switchboard]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  // Tab reaches the close button; Esc closes from anywhere in the panel.
  await page.keyboard.press('Escape');
  await expect(widget.getByRole('button', { name: 'Åpne chat' })).toBeFocused();
});

test('after a chat is solved the customer rates it on one card, and the agent sees the score live', async ({ browser }) => {
  const { customerWidget, customerSays } = await import('./helpers');
  const alex = await agentPage(browser);
  const { widget } = await customerWidget(browser);
  const hello = `Rate me ${Date.now()}`;
  await customerSays(widget, hello);
  await openConversation(alex, hello);
  const actions = alex.getByRole('toolbar', { name: 'Conversation actions' });
  await actions.getByRole('button', { name: 'Accept' }).click();
  await actions.getByRole('button', { name: 'Mark as solved' }).click();

  const card = widget.locator('section.survey');
  await expect(card.getByRole('heading', { name: 'How was your chat?' })).toBeVisible();
  // A 2 asks what went wrong before sending.
  await card.getByRole('button', { name: '2 of 5: poor' }).click();
  await expect(card.getByRole('button', { name: '2 of 5: poor' })).toHaveAttribute('aria-pressed', 'true');
  await card.getByLabel('What went wrong? (optional)').fill('Took <b>long</b>');
  await card.getByRole('button', { name: 'Send rating' }).click();
  await expect(card).toContainText('Thank you! You rated this chat 2 out of 5.');
  const messages = alex.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('The customer rated this chat 2/5: “Took <b>long</b>”');
  await expect(alex.locator('.customer-panel .rating')).toHaveText('2/5 for this chat');
  // Changed within the week: one rating, the newest.
  await card.getByRole('button', { name: 'Change rating' }).click();
  await card.getByRole('button', { name: '5 of 5: excellent' }).click();
  await expect(card).toContainText('Thank you! You rated this chat 5 out of 5.');
  await expect(alex.locator('.customer-panel .rating')).toHaveText('5/5 for this chat');
  await expect(messages).toContainText('The customer changed their rating to 5/5');
  // The private line never reaches the widget.
  await expect(widget.locator('.messages')).not.toContainText('rated this chat');
});

test('at 200% zoom (a 1280×720 screen seen as 640×360) the open widget fits and works', async ({ browser }) => {
  const page = await (await browser.newContext({ viewport: { width: 640, height: 360 } })).newPage();
  await page.goto(`${HOST}/?inbox=demo-support`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const frame = page.locator('iframe[data-switchboard]');
  const box = await frame.boundingBox();
  expect(box).not.toBeNull();
  // The frame stays inside the viewport, and every control in it is reachable.
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(640);
  expect(box!.y + box!.height).toBeLessThanOrEqual(360);
  for (const control of [widget.getByRole('button', { name: 'Close chat' }), widget.getByRole('textbox', { name: 'Message' }), widget.getByRole('button', { name: 'Send' })]) {
    await expect(control).toBeInViewport();
  }
  const text = `Zoomed ${Date.now()}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('button', { name: 'Send' }).click();
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
});
