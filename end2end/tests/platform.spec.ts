import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, hydrated, consoleAs, customerWidget, customerSays, ADMIN } from './helpers';

const ADA = [ADMIN.email, ADMIN.password] as const;

test('an admin creates an API token and calls the API with it', async ({ browser, request }) => {
  const ada = await consoleAs(browser, ADA);
  await ada.getByRole('link', { name: 'Settings' }).click();
  await ada.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API tokens' }).click();
  await hydrated(ada);
  const name = `CRM ${Date.now()}`;
  await ada.getByLabel('Name').fill(name);
  await ada.getByRole('checkbox', { name: 'write', exact: true }).check();
  await ada.getByRole('button', { name: 'Create token' }).click();
  const token = (await ada.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^sbk_/);
  await expect(ada.getByRole('row', { name: new RegExp(name) })).toContainText('read, write');

  const agents = await request.get('/api/v1/agents', { headers: { Authorization: `Bearer ${token}` } });
  expect(agents.status()).toBe(200);
  expect((await agents.json()).map((a: { email: string }) => a.email)).toContain(ADMIN.email);
  const anonymous = await request.get('/api/v1/agents');
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()['content-type']).toBe('application/problem+json');

  // Revoked, it no longer opens anything.
  await ada.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(ada.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  expect((await request.get('/api/v1/agents', { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
});

test('an admin subscribes a webhook, sends a test event and sees it delivered in the log', async ({ browser }) => {
  const received: { id: string; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ id: String(req.headers['webhook-id']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const ada = await consoleAs(browser, ADA);
    await ada.goto('/settings/webhooks');
    await hydrated(ada);
    await ada.getByLabel('URL').fill(url);
    await ada.getByRole('checkbox', { name: 'Allow internal addresses' }).check();
    await ada.getByRole('button', { name: 'Subscribe' }).click();
    const card = ada.getByRole('article', { name: `Webhook ${url}` });
    await expect(card).toContainText('Active');
    await expect(card).toContainText('whsec_');
    await card.getByRole('button', { name: 'Send test event' }).click();
    const log = card.getByRole('table', { name: 'Delivery log' });
    await expect(async () => {
      await card.getByRole('button', { name: 'Refresh log' }).click();
      await expect(log.getByRole('row', { name: /webhook\.test/ })).toContainText('delivered', { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0].body)).toMatchObject({ type: 'webhook.test', id: received[0].id });
    await expect(log).toContainText(received[0].id);
    await expect(log).toContainText('HTTP 204');

    // A real change: a customer writes, the subscription gets it, signed and logged.
    const text = `Hook me ${Date.now()}`;
    const { widget } = await customerWidget(browser);
    await customerSays(widget, text);
    await expect(async () => {
      await card.getByRole('button', { name: 'Refresh log' }).click();
      await expect(log.getByRole('row', { name: /message\.created/ }).first()).toContainText('delivered', { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    const message = received.find((r) => r.body.includes(text));
    expect(message).toBeDefined();
    expect(JSON.parse(message!.body)).toMatchObject({ type: 'message.created', data: { body: text, author_kind: 'customer' } });

    // Removed, so the later tests' changes go nowhere.
    await card.getByRole('button', { name: 'Remove' }).click();
    await expect(card).toHaveCount(0);
  } finally {
    receiver.close();
  }
});

test('an admin erases a customer from the panel', async ({ browser }) => {
  const text = `Erase me ${Date.now()}`;
  const { widget } = await customerWidget(browser);
  await customerSays(widget, text);

  const ada = await consoleAs(browser, ADA);
  await ada.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(ada);
  await ada.getByRole('link', { name: text }).first().click();
  await expect(ada.getByRole('list', { name: 'Messages' })).toContainText(text);
  await hydrated(ada);
  const panel = ada.getByRole('complementary', { name: 'Customer' });
  await expect(panel.getByRole('link', { name: 'Download their data (JSON)' })).toBeVisible();
  await panel.getByRole('button', { name: 'Erase customer…' }).click();
  const dialog = panel.getByRole('alertdialog', { name: 'Erase this customer?' });
  await dialog.getByRole('button', { name: 'Erase for good' }).click();
  await expect(panel.locator('.customer-name')).toHaveText('Erased customer');
  await expect(ada.getByRole('list', { name: 'Messages' })).not.toContainText(text);
  await expect(panel.getByRole('button', { name: 'Erase customer…' })).toHaveCount(0);
});
