import type { Browser, Page, FrameLocator } from '@playwright/test';
import { test, expect, hydrated, loginOk, tcpProxy, HOST, agentPage, customerWidget, customerSays, openConversation, agentSays } from './helpers';

test('a customer on another site and an agent chat live both ways; close and reopen', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { page: customer, widget } = await customerWidget(browser);
  const first = `Where is my order? ${Date.now()}`;
  await customerSays(widget, first);
  await expect(widget.locator('.state')).toHaveText('Waiting for an agent');

  await openConversation(agent, first);
  await expect(agent.locator('.connection')).toHaveText('live');
  await agentSays(agent, 'Hi! Let me check that for you.');
  await expect(widget.locator('.messages')).toContainText('Hi! Let me check that for you.');
  await expect(widget.locator('.state')).toHaveText('Open');

  await customerSays(widget, 'Thanks, I will wait');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('Thanks, I will wait');

  // Ending a chat other than by solving it is in "More", each way with what it means.
  await agent.getByText('More', { exact: true }).click();
  await expect(agent.getByRole('group', { name: 'End the chat' })).toContainText('without a verdict');
  await agent.getByRole('button', { name: 'Close conversation' }).click();
  await expect(agent.locator('.status-badge')).toHaveText('Closed');
  await expect(widget.locator('.state')).toHaveText('Closed — write to reopen');

  await customerSays(widget, 'Actually, one more question');
  await expect(agent.locator('.status-badge')).toHaveText('New');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('Actually, one more question');
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('reopened');
  await expect(widget.locator('.state')).toHaveText('Waiting for an agent');

  // The conversation survives a reload of the host page.
  await customer.reload();
  const again = customer.frameLocator('iframe[data-switchboard]');
  await again.getByRole('button', { name: 'Open chat' }).click();
  await expect(again.locator('.messages')).toContainText(first);
  await expect(again.locator('.messages')).toContainText('Actually, one more question');
  await expect(again.locator('.msg', { hasText: 'Hi! Let me check that for you.' })).toHaveCount(1);
});

test('a dropped network, before and after the first live event: what was sent meanwhile arrives once each', async ({ browser, baseURL }) => {
  // The agent reaches the server through a proxy whose sockets we really cut.
  const proxy = await tcpProxy(new URL(baseURL!));
  try {
    const { widget } = await customerWidget(browser);
    const first = `Drop test ${Date.now()}`;
    await customerSays(widget, first);
    const agent = await (await browser.newContext({ baseURL: proxy.origin })).newPage();
    await loginOk(agent, 'alex.operator@example.com', 'operator-demo-pass');
    await openConversation(agent, first);
    await expect(agent.locator('.connection')).toHaveText('live');
    const messages = agent.getByRole('list', { name: 'Messages' });

    // 1. Right after the stream opened, before any message event has reached the tab.
    await proxy.cut();
    await expect(agent.locator('.connection')).toHaveText('reconnecting…');
    for (let i = 1; i <= 5; i++) await customerSays(widget, `away before ${i}`);
    await proxy.restore();
    for (let i = 1; i <= 5; i++) {
      await expect(messages.locator('.msg', { hasText: `away before ${i}` })).toHaveCount(1);
    }
    await expect(agent.locator('.connection')).toHaveText('live');

    // 2. Again, now that live events have arrived.
    await proxy.cut();
    await expect(agent.locator('.connection')).toHaveText('reconnecting…');
    for (let i = 1; i <= 3; i++) await customerSays(widget, `away after ${i}`);
    await proxy.restore();
    for (let i = 1; i <= 3; i++) {
      await expect(messages.locator('.msg', { hasText: `away after ${i}` })).toHaveCount(1);
    }
    const texts = await messages.locator('.msg .body').allTextContents();
    const order = texts.filter((t) => t.startsWith('away '));
    expect(order).toEqual([1, 2, 3, 4, 5].map((i) => `away before ${i}`).concat([1, 2, 3].map((i) => `away after ${i}`)));
    // And the view keeps working live afterwards.
    await customerSays(widget, 'back to normal');
    await expect(messages.locator('.msg', { hasText: 'back to normal' })).toHaveCount(1);
  } finally {
    await proxy.close();
  }
});

test("the customer's widget on another site resumes after a dropped network", async ({ browser, baseURL }) => {
  const proxy = await tcpProxy(new URL(baseURL!));
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${HOST}/?inbox=demo-support&sb=${encodeURIComponent(proxy.origin)}`);
    const widget = page.frameLocator('iframe[data-switchboard]');
    await widget.getByRole('button', { name: 'Open chat' }).click();
    const first = `Widget drop ${Date.now()}`;
    await customerSays(widget, first);
    const agent = await agentPage(browser);
    await openConversation(agent, first);

    // Before any reply has reached the widget.
    await proxy.cut();
    for (let i = 1; i <= 3; i++) await agentSays(agent, `reply while cut ${i}`);
    await proxy.restore();
    const thread = widget.locator('.messages');
    for (let i = 1; i <= 3; i++) {
      await expect(thread.locator('.msg', { hasText: `reply while cut ${i}` })).toHaveCount(1);
    }
    // And once more, after live replies have arrived.
    await proxy.cut();
    await agentSays(agent, 'second cut reply');
    await proxy.restore();
    await expect(thread.locator('.msg', { hasText: 'second cut reply' })).toHaveCount(1);
  } finally {
    await proxy.close();
  }
});

test("a widget whose third-party storage is blocked keeps its chat across reloads", async ({ browser, baseURL }) => {
  // The host page is on another site (localhost) than the server (127.0.0.1). Chrome
  // blocks such a frame's storage in incognito and with "block third-party cookies":
  // every access throws SecurityError. The frame gets exactly that here.
  const serverOrigin = new URL(baseURL!).origin;
  const context = await browser.newContext();
  await context.addInitScript((origin) => {
    if (location.origin === origin && window !== window.top) {
      const blocked = () => {
        throw new DOMException("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", 'SecurityError');
      };
      Object.defineProperty(window, 'localStorage', { get: blocked, configurable: true });
    }
  }, serverOrigin);
  const page = await context.newPage();
  const hostUrl = `${HOST.replace('127.0.0.1', 'localhost')}/?inbox=demo-support`;
  await page.goto(hostUrl);
  let widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const first = `Blocked storage ${Date.now()}`;
  await customerSays(widget, first);
  // The frame really cannot use its own storage.
  const frame = page.frames().find((f) => f.url().startsWith(serverOrigin))!;
  expect(await frame.evaluate(() => { try { return typeof localStorage; } catch (e) { return (e as Error).name; } })).toBe('SecurityError');

  await page.reload();
  widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await expect(widget.locator('.msg-customer', { hasText: first })).toHaveCount(1);
  await customerSays(widget, 'still the same chat');

  // The agent sees one chat with both messages, not two chats.
  const agent = await agentPage(browser);
  await agent.goto('/conversations?q=' + encodeURIComponent(first.split(' ').slice(-1)[0]));
  await hydrated(agent);
  await expect(agent.locator('table.conversations tbody tr')).toHaveCount(1);
  await agent.locator('table.conversations tbody tr a', { hasText: 'still the same chat' }).first().click();
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText(first);
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText('still the same chat');
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
