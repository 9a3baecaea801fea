import { test, expect, hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

test('create a request from a chat and find it on the Requests page with its transcript', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const text = `I was charged twice ${Date.now()}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  const page = await (await browser.newContext()).newPage();
  await loginOk(page, 'alex.operator@example.com', 'operator-demo-pass');
  await page.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(page);
  await page.getByRole('link', { name: text }).first().click();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(text);

  const title = `Refund the double charge ${Date.now()}`;
  await page.getByRole('button', { name: 'Create request' }).click();
  const dialog = page.getByRole('dialog', { name: 'New service request' });
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Description').fill('Card ending 4242 charged twice.');
  await dialog.getByLabel('Priority').selectOption('high');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  const linked = page.getByRole('list', { name: 'Requests from this chat' });
  await expect(linked).toContainText(title);

  await page.getByRole('link', { name: 'Requests', exact: true }).click();
  const card = page.getByRole('listitem', { name: `Request ${title}` });
  await expect(card).toBeVisible();
  await expect(card.locator('.priority')).toHaveText('High');
  await card.getByText('Transcript').click();
  await expect(card.locator('.transcript-lines')).toContainText(text);
  await card.getByLabel(`Status of ${title}`).selectOption('in_progress');
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('listitem', { name: `Request ${title}` }).getByLabel(`Status of ${title}`)).toHaveValue('in_progress');
});

test('the admin sees each inbox retention setting and runs a purge', async ({ page }) => {
  await loginOk(page, 'admin@example.com', 'admin-demo-pass');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Data', exact: true }).click();
  await hydrated(page);
  await expect(page.getByLabel('Retention days for Support')).toHaveValue('90');
  await expect(page.locator('.last-purge')).toBeVisible();
  await page.getByRole('button', { name: 'Purge now' }).click();
  await expect(page.locator('.last-purge')).toContainText('Last purge:');
});
