import type { Browser, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function agent(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'alex.operator@example.com', 'operator-demo-pass');
  return page;
}

async function openChat(page: Page, text: string) {
  await page.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(page);
  // The preview shows the latest message (a file), so open the row by the customer.
  const rows = page.locator('table.conversations tbody tr');
  await expect(rows).toHaveCount(1);
  await rows.first().locator('td:nth-child(3) a').click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(text);
}

test('files both ways: the customer sends an image, the agent a PDF the customer downloads', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const text = `Here is a photo ${Date.now()}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
  await widget.getByLabel('Attach a file').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PNG });
  await expect(widget.locator('img.thumb[alt="pixel.png"]')).toHaveCount(1);

  const page = await agent(browser);
  await openChat(page, text);
  const thumb = page.getByRole('list', { name: 'Messages' }).locator('img.thumb[alt="pixel.png"]');
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(1);

  await page.getByLabel('Attach a file').setInputFiles({ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF });
  await expect(page.locator('a.file-chip', { hasText: 'receipt.pdf' })).toBeVisible();
  const chip = widget.locator('a.file', { hasText: 'receipt.pdf' });
  await expect(chip).toBeVisible();
  const [download] = await Promise.all([customer.waitForEvent('download'), chip.click()]);
  expect(download.suggestedFilename()).toBe('receipt.pdf');
  expect(readFileSync(await download.path()).toString()).toBe(PDF.toString());

  // A disguised file is refused with a clear message.
  await page.getByLabel('Attach a file').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload="alert(1)"/>') });
  await expect(page.locator('p.error[role=alert]')).toContainText('not accepted');
});
