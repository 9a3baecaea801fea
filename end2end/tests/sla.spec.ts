import type { Page } from '@playwright/test';
import { test, expect, hydrated, consoleAs, customerWidget, customerSays, ADMIN } from './helpers';

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
  // The admin sets the target while the supervisor opens the list, soonest due first,
  // and a customer opens the widget: none of them waits for the others.
  const [admin, sam, { widget }] = await Promise.all([
    (async () => {
      const admin = await consoleAs(browser, [ADMIN.email, ADMIN.password]);
      // A first response within 0.15 minute (9 s): the alert comes at 7.2 s.
      await setFirstResponse(admin, '0.15');
      return admin;
    })(),
    (async () => {
      const sam = await consoleAs(browser, ['sam.supervisor@example.com', 'supervisor-demo-pass']);
      await sam.goto('/conversations?sort=sla_due');
      await hydrated(sam);
      await expect(sam.locator('.connection')).toHaveText('live');
      await expect(sam.locator('table.conversations')).toBeVisible();
      return sam;
    })(),
    customerWidget(browser, 'demo-billing'),
  ]);
  try {
    const text = `Refund please ${Date.now()}`;
    await customerSays(widget, text);

    // The list raises its bar for the new chat, live; shown, the chat says "due in"
    // (older chats of the inbox, now under the policy too, are already breached and
    // come first).
    await sam.getByRole('button', { name: /new — show/ }).click();
    const row = sam.locator('table.conversations tbody tr', { hasText: text });
    await expect(row.locator('.sla')).toHaveText(/^due in \d+ s$/);
    const id = (await row.getByRole('link', { name: text }).getAttribute('href'))!.match(/(\d+)$/)![1];

    // The alert at 80%, live, with a way to the chat, which shows its pending target.
    const alert = sam.getByRole('region', { name: 'SLA alerts' }).locator('.sla-alert', { hasText: `chat #${id}` });
    await expect(alert).toContainText(new RegExp(`SLA: First response on chat #${id} is due in \\d+ s`));
    await alert.getByRole('link', { name: 'Open chat' }).click();
    await expect(sam.getByRole('list', { name: 'Messages' })).toContainText(text);
    await expect(sam.locator('.sla-state')).toContainText('First response:');
  } finally {
    await setFirstResponse(admin, '');
  }
});
