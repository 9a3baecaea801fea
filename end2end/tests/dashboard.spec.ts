import type { Page } from '@playwright/test';
import { test, expect, hydrated, consoleAs, HOST } from './helpers';

const ALEX = ['alex.operator@example.com', 'operator-demo-pass'] as const;
const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

test('the dashboard: the waiting tile rises when a customer writes and falls when the chat is accepted', async ({ browser }) => {
  const sam = await consoleAs(browser, SAM);
  await sam.getByRole('link', { name: 'Dashboard' }).click();
  await expect(sam).toHaveURL(/\/dashboard$/);
  await expect(sam.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  const waiting = sam.locator('[data-tile="waiting"] .tile-value');
  await expect(waiting).toHaveText(/^\d+$/);
  const before = Number(await waiting.textContent());

  const text = `Is anyone there? ${Date.now()}`;
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(waiting).toHaveText(String(before + 1));
  const row = sam.locator('table.dashboard-ongoing tr', { hasText: text });
  await expect(row).toContainText('In the queue');
  await expect(sam.locator('[data-tile="longest"] .tile-value')).toHaveText(/\d+ (s|m \d\d s|h \d\d m)$/);

  const alex = await consoleAs(browser, ALEX);
  await alex.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(alex);
  await alex.getByRole('link', { name: text }).first().click();
  await alex.getByRole('button', { name: 'Accept' }).click();
  await expect(waiting).toHaveText(String(before));
  await expect(row).toContainText('Alex Operator');
  await expect(sam.locator('table.dashboard-agents tr', { hasText: 'Alex Operator' })).toContainText('Online');

  // A row opens its chat.
  await row.getByRole('link').click();
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText(text);
});
