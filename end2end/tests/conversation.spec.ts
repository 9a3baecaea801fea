import { test, expect, Browser, Page, FrameLocator } from '@playwright/test';
import { hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

async function agentPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'alex.operator@example.com', 'operator-demo-pass');
  await expect(page.locator('.me-name')).toHaveText('Alex Operator');
  return page;
}

/** A customer on the host site, with the chat panel open. */
async function customerWidget(browser: Browser): Promise<{ page: Page; widget: FrameLocator }> {
  const page = await (await browser.newContext()).newPage();
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  await page.goto(`${HOST}/?inbox=demo-support`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  return { page, widget };
}

async function customerSays(widget: FrameLocator, text: string) {
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
}

async function openConversation(agent: Page, preview: string) {
  await agent.locator('ul.inboxes > li > a', { hasText: 'Support' }).click();
  await agent.getByRole('link', { name: preview }).click();
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText(preview);
  await hydrated(agent);
}

async function agentSays(agent: Page, text: string) {
  await agent.getByLabel('Reply').fill(text);
  await agent.getByLabel('Reply').press('Enter');
  await expect(agent.locator('.msg-agent:not(.pending)', { hasText: text })).toHaveCount(1);
}

test('a customer on another site and an agent chat live both ways; close and reopen', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { page: customer, widget } = await customerWidget(browser);
  const first = `Where is my order? ${Date.now()}`;
  await customerSays(widget, first);
  await expect(widget.getByRole('status')).toHaveText('Waiting for an agent');

  await openConversation(agent, first);
  await expect(agent.locator('.connection')).toHaveText('live');
  await agentSays(agent, 'Hi! Let me check that for you.');
  await expect(widget.locator('.messages')).toContainText('Hi! Let me check that for you.');
  await expect(widget.getByRole('status')).toHaveText('Open');

  await customerSays(widget, 'Thanks, I will wait');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('Thanks, I will wait');

  await agent.getByRole('button', { name: 'Close conversation' }).click();
  await expect(agent.locator('.status-badge')).toHaveText('Closed');
  await expect(widget.getByRole('status')).toHaveText('Closed — write to reopen');

  await customerSays(widget, 'Actually, one more question');
  await expect(agent.locator('.status-badge')).toHaveText('New');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('Actually, one more question');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('reopened');
  await expect(widget.getByRole('status')).toHaveText('Waiting for an agent');

  // The conversation survives a reload of the host page.
  await customer.reload();
  const again = customer.frameLocator('iframe[data-switchboard]');
  await again.getByRole('button', { name: 'Open chat' }).click();
  await expect(again.locator('.messages')).toContainText(first);
  await expect(again.locator('.messages')).toContainText('Actually, one more question');
  await expect(again.locator('.msg', { hasText: 'Hi! Let me check that for you.' })).toHaveCount(1);
});

test('messages sent while the agent was offline arrive once each after reconnecting', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { widget } = await customerWidget(browser);
  const first = `Offline test ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(agent, first);
  await expect(agent.locator('.connection')).toHaveText('live');

  await agent.context().setOffline(true);
  await customerSays(widget, 'sent while you were away 1');
  await customerSays(widget, 'sent while you were away 2');
  await agent.context().setOffline(false);

  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('.msg', { hasText: 'sent while you were away 1' })).toHaveCount(1, { timeout: 20_000 });
  await expect(messages.locator('.msg', { hasText: 'sent while you were away 2' })).toHaveCount(1);
  await expect(agent.locator('.connection')).toHaveText('live');
  // And the view keeps working live afterwards.
  await customerSays(widget, 'back to normal');
  await expect(messages.locator('.msg', { hasText: 'back to normal' })).toHaveCount(1);
});

test('markup in a message shows as text on both sides', async ({ browser }) => {
  const agent = await agentPage(browser);
  agent.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  const { widget } = await customerWidget(browser);
  const evil = '<img src=x onerror=alert(1)>';
  const marker = `xss ${Date.now()}`;
  await customerSays(widget, marker);
  await openConversation(agent, marker);
  await customerSays(widget, evil);
  await expect(widget.locator('.messages img')).toHaveCount(0);

  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('.body', { hasText: evil })).toHaveText(evil);
  await expect(messages.locator('img')).toHaveCount(0);
  await agentSays(agent, '<b>bold?</b> <script>alert(2)</script>');
  await expect(widget.locator('.messages')).toContainText('<b>bold?</b> <script>alert(2)</script>');
  await expect(widget.locator('.messages b')).toHaveCount(0);
});
