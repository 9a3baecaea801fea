import type { Browser, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, hydrated, consoleAs, ADMIN, HOST } from './helpers';

const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

test('the audit log lists a login, an export and a delete, filters them, and downloads as CSV', async ({ browser }) => {
  // A customer writes; Sam signs in, exports the chat and deletes it.
  const text = `Audit me ${Date.now()}`;
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  const sam = await consoleAs(browser, SAM);
  await sam.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(sam);
  await sam.getByRole('link', { name: text }).first().click();
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText(text);
  const id = sam.url().match(/(\d+)$/)![1];
  await sam.getByText('More', { exact: true }).click();
  const [download] = await Promise.all([sam.waitForEvent('download'), sam.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe(`conversation-${id}.csv`);
  await sam.getByRole('button', { name: 'Delete chat' }).click();
  await sam.getByRole('alertdialog', { name: 'Delete this chat?' }).getByRole('button', { name: 'Delete for good' }).click();
  await expect(sam).toHaveURL(/\/conversations$/);

  // The admin reads it on /admin/audit, reached from Settings.
  const ada = await consoleAs(browser, [ADMIN.email, ADMIN.password]);
  await ada.getByRole('link', { name: 'Settings' }).click();
  await ada.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(ada).toHaveURL(/\/admin\/audit$/);
  await hydrated(ada);
  const table = ada.locator('table.audit-table tbody');
  const row = (action: string, target: string) => table.locator('tr', { hasText: action }).filter({ hasText: target }).filter({ hasText: 'Sam Supervisor' });
  await expect(row('Chat deleted', `conversation ${id}`)).toHaveCount(1);
  await expect(row('Chat exported', `conversation ${id}`)).toHaveCount(1);
  await expect(row('Chat deleted', `conversation ${id}`)).toContainText('127.0.0.1');
  await expect(table.locator('tr', { hasText: 'Logged in' }).filter({ hasText: 'Sam Supervisor' }).first()).toBeVisible();

  // Filters: one action, then one target.
  await ada.getByLabel('Action').selectOption({ label: 'Chat deleted' });
  await expect(table.locator('tr').first()).toContainText('Chat deleted');
  await expect(table.locator('tr', { hasNotText: 'Chat deleted' })).toHaveCount(0);
  await ada.getByLabel('Action').selectOption({ label: 'Any action' });
  await ada.getByLabel('Target').fill(`conversation:${id}`);
  await ada.getByLabel('Target').press('Enter');
  await expect(table.locator('tr')).toHaveCount(2);
  await expect(table).not.toContainText(text);

  const [csv] = await Promise.all([ada.waitForEvent('download'), ada.getByRole('link', { name: 'Download CSV' }).click()]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('id,at,actor,action,target,changes,address');
  expect(lines.slice(1).map((l) => l.split(',')[3]).sort()).toEqual(['conversation.delete', 'conversation.export']);
});
