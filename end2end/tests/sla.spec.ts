import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, consoleAs, ADMIN, HOST } from './helpers';

async function setFirstResponse(admin: Page, minutes: string) {
  await admin.goto('/settings/inboxes');
  await hydrated(admin);
  await admin.getByRole('main').getByRole('link', { name: 'Billing' }).click();
  const form = admin.getByRole('region', { name: 'SLA', exact: true });
  await form.getByLabel('First response (minutes)').fill(minutes);
  await form.getByRole('button', { name: 'Save SLA' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved');
}

test('an SLA target: the badge counts down in the list, the supervisor is alerted at 80% and opens the chat from the alert', async ({ browser }) => {
  const admin = await consoleAs(browser, [ADMIN.email, ADMIN.password]);
  // A first response within 0.2 minute (12 s): the alert comes at 9.6 s.
  await setFirstResponse(admin, '0.2');
  try {
    const sam = await consoleAs(browser, ['sam.supervisor@example.com', 'supervisor-demo-pass']);
    await expect(sam.locator('.connection')).toHaveText('live');
    const text = `Refund please ${Date.now()}`;
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(`${HOST}/?inbox=demo-billing`);
    const widget = customer.frameLocator('iframe[data-switchboard]');
    await widget.getByRole('button', { name: 'Open chat' }).click();
    await widget.getByRole('textbox', { name: 'Message' }).fill(text);
    await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

    // The list, soonest due first: the new chat shows "due in" (older chats of the
    // inbox, now under the policy too, are already breached and come first).
    await sam.goto('/conversations?sort=sla_due');
    await hydrated(sam);
    const row = sam.locator('table.conversations tbody tr', { hasText: text });
    await expect(row.locator('.sla')).toHaveText(/^due in \d+ s$/);
    const id = (await row.getByRole('link', { name: text }).getAttribute('href'))!.match(/(\d+)$/)![1];

    // The alert at 80%, live, with a way to the chat, which shows its pending target.
    const alert = sam.getByRole('region', { name: 'SLA alerts' }).locator('.sla-alert', { hasText: `chat #${id}` });
    await expect(alert).toContainText(new RegExp(`SLA: First response on chat #${id} is due in \\d+ s`), { timeout: 12_000 });
    await alert.getByRole('link', { name: 'Open chat' }).click();
    await expect(sam.getByRole('list', { name: 'Messages' })).toContainText(text);
    await expect(sam.locator('.sla-state')).toContainText('First response:');
  } finally {
    await setFirstResponse(admin, '');
  }
});
