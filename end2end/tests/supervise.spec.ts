import type { Page } from '@playwright/test';
import { test, expect, hydrated, consoleAs, HOST } from './helpers';

const ALEX = ['alex.operator@example.com', 'operator-demo-pass'] as const;
const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

async function openChat(agent: Page, text: string) {
  await agent.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(agent);
  await agent.getByRole('link', { name: text }).first().click();
  await expect(agent.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(agent.getByRole('toolbar', { name: 'Conversation actions' })).toBeVisible();
}

test('a supervisor whispers to the agent, joins the chat and takes it over; the customer never sees the whisper', async ({ browser }) => {
  const text = `Where is my parcel? ${Date.now()}`;
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  const alex = await consoleAs(browser, ALEX);
  await openChat(alex, text);
  await alex.getByRole('button', { name: 'Accept' }).click();
  await expect(alex.getByRole('button', { name: 'Mark as solved' })).toBeVisible();
  // Operators have no Whisper tab.
  await expect(alex.getByRole('tab', { name: 'Whisper' })).toHaveCount(0);

  const sam = await consoleAs(browser, SAM);
  await openChat(sam, text);
  const toolbar = sam.getByRole('toolbar', { name: 'Conversation actions' });
  await expect(toolbar.getByRole('button', { name: 'Join' })).toBeVisible();

  // The whisper: Alex sees it live, marked as such.
  const whisper = `Offer the refund, it is within policy ${Date.now()}`;
  await sam.getByRole('tab', { name: 'Whisper' }).click();
  await sam.getByRole('textbox', { name: 'Whisper' }).fill(whisper);
  await sam.getByRole('textbox', { name: 'Whisper' }).press('Enter');
  await expect(sam.locator('.msg[data-visibility="whisper"]:not(.pending)', { hasText: whisper })).toHaveCount(1);
  const onAlex = alex.locator('.msg[data-visibility="whisper"]', { hasText: whisper });
  await expect(onAlex).toHaveCount(1);
  await expect(onAlex).toContainText('not seen by the customer');

  // Join: the customer sees Sam arrive, then Sam's reply; never the whisper.
  await toolbar.getByRole('button', { name: 'Join' }).click();
  await expect(widget.locator('.messages')).toContainText('Sam Supervisor joined the chat');
  await sam.getByRole('tab', { name: 'Reply' }).click();
  await sam.getByRole('textbox', { name: 'Reply' }).fill('Sam here, I am looking at it too.');
  await sam.getByRole('textbox', { name: 'Reply' }).press('Enter');
  await expect(widget.locator('.messages')).toContainText('Sam here, I am looking at it too.');
  await expect(widget.locator('.messages')).not.toContainText(whisper);
  await customer.reload();
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await expect(widget.locator('.messages')).toContainText('Sam here, I am looking at it too.');
  await expect(widget.locator('.messages')).not.toContainText(whisper);

  // Take over: one click, the chat is Sam's.
  await toolbar.getByRole('button', { name: 'Take over' }).click();
  await expect(toolbar.getByRole('button', { name: 'Mark as solved' })).toBeVisible();
  await expect(toolbar.getByRole('button', { name: 'Join' })).toHaveCount(0);
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText('Sam Supervisor took over the chat from Alex Operator');
});
