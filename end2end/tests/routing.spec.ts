import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk, ADMIN, HOST } from './helpers';

/** An operator made on Settings → Agents, with the password 'routing-pass-1'. */
async function createAgent(admin: Page, who: { email: string; name: string }) {
  await admin.goto('/settings/agents');
  await hydrated(admin);
  const create = admin.getByRole('form', { name: 'Create agent' });
  await create.getByLabel('Name').fill(who.name);
  await create.getByLabel('Email').fill(who.email);
  await create.getByLabel('Password').fill('routing-pass-1');
  await create.getByRole('button', { name: 'Create agent' }).click();
  await expect(admin.locator(`tr[data-agent="${who.email}"]`)).toBeVisible();
}

/** An inbox of its own, with one agent, so the demo inboxes keep assigning by hand. */
async function routedInbox(browser: Browser, tag: string): Promise<{ admin: Page; key: string; inboxUrl: string; agent: { email: string; name: string } }> {
  const admin = await (await browser.newContext()).newPage();
  await loginOk(admin, ADMIN.email, ADMIN.password);
  const agent = { email: `rita${tag}@example.com`, name: `Rita Router ${tag}` };
  await createAgent(admin, agent);

  await admin.goto('/settings/inboxes');
  await hydrated(admin);
  await admin.getByLabel('Inbox name').fill(`Routing ${tag}`);
  await admin.getByRole('button', { name: 'Create inbox' }).click();
  await admin.getByRole('link', { name: `Routing ${tag}` }).click();
  await expect(admin.getByRole('heading', { name: `Routing ${tag}` })).toBeVisible();
  await hydrated(admin);
  const inboxUrl = admin.url();
  await admin.getByLabel(`Agent to add to Routing ${tag}`).selectOption({ label: `${agent.name} (${agent.email})` });
  await admin.getByRole('button', { name: 'Add to inbox' }).click();
  await expect(admin.locator('ul.members')).toContainText(agent.name);
  const routing = admin.locator('section', { has: admin.getByRole('heading', { name: 'Routing', exact: true }) });
  await routing.getByLabel('Assignment').selectOption('auto');
  await routing.getByLabel('Open chats per agent').fill('1');
  await routing.getByRole('button', { name: 'Save routing' }).click();
  await expect(routing.getByRole('status')).toHaveText('Saved');
  const snippet = (await admin.locator('.snippet').textContent()) ?? '';
  const key = /data-inbox="([^"]+)"/.exec(snippet)?.[1];
  expect(key, snippet).toBeTruthy();
  return { admin, key: key!, inboxUrl, agent };
}

async function customer(browser: Browser, key: string) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${HOST}/?inbox=${key}`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  return { page, widget };
}

async function says(widget: ReturnType<Page['frameLocator']>, text: string) {
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);
}

test('automatic assignment: a chat lands on the Online agent, the next waits in line and is assigned when a place frees', async ({ browser }) => {
  const tag = `${Date.now()}`.slice(-6);
  const { key, agent } = await routedInbox(browser, tag);
  const rita = await (await browser.newContext()).newPage();
  await loginOk(rita, agent.email, 'routing-pass-1');

  // The first customer's chat is Rita's with no click.
  const first = await customer(browser, key);
  const hello = `First in ${tag}`;
  await says(first.widget, hello);
  await expect(first.widget.locator('.agent-name')).toHaveText(agent.name);
  await expect(first.widget.locator('.queue')).toBeHidden();
  await rita.goto('/inbox');
  await hydrated(rita);
  const mine = rita.getByRole('link', { name: hello });
  await expect(mine).toBeVisible();

  // Rita is at capacity (1): the second customer is number 1 in line.
  const second = await customer(browser, key);
  const next = `Second in ${tag}`;
  await says(second.widget, next);
  await expect(second.widget.locator('.queue')).toContainText('You are number 1 in line');
  await expect(second.widget.locator('.agent-name')).toBeHidden();

  // Rita solves the first chat: the second is hers at once, and its line goes away.
  await mine.click();
  await expect(rita.getByRole('list', { name: 'Messages' })).toContainText(hello);
  await expect(rita.getByRole('list', { name: 'Messages' })).toContainText(`Assigned automatically to ${agent.name}`);
  await rita.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Mark as solved' }).click();
  await expect(second.widget.locator('.agent-name')).toHaveText(agent.name);
  await expect(second.widget.locator('.queue')).toBeHidden();
  await expect(rita.getByRole('link', { name: next })).toBeVisible();
});

test('outside business hours the widget says when the team is back, and the offline form creates a waiting chat with the email', async ({ browser }) => {
  const tag = `${Date.now()}`.slice(-6);
  const admin = await (await browser.newContext()).newPage();
  await loginOk(admin, ADMIN.email, ADMIN.password);
  await admin.goto('/settings/inboxes');
  await hydrated(admin);
  await admin.getByLabel('Inbox name').fill(`Hours ${tag}`);
  await admin.getByRole('button', { name: 'Create inbox' }).click();
  await admin.getByRole('link', { name: `Hours ${tag}` }).click();
  await expect(admin.getByRole('heading', { name: `Hours ${tag}` })).toBeVisible();
  await hydrated(admin);
  // Open only on the day after tomorrow (UTC), so it is closed now.
  const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  const today = (new Date().getUTCDay() + 6) % 7;
  const openDay = days[(today + 2) % 7];
  const hours = admin.locator('section', { has: admin.getByRole('heading', { name: 'Business hours' }) });
  await hours.getByLabel('Use business hours').check();
  await hours.getByLabel('Time zone').fill('UTC');
  for (const d of days) await hours.getByLabel(d, { exact: true }).fill(d === openDay ? '09:00-17:00' : '');
  await hours.getByRole('button', { name: 'Save hours' }).click();
  await expect(hours.getByRole('status')).toHaveText('Saved');
  const snippet = (await admin.locator('.snippet').textContent()) ?? '';
  const key = /data-inbox="([^"]+)"/.exec(snippet)![1];

  const page = await (await browser.newContext()).newPage();
  await page.goto(`${HOST}/?inbox=${key}`);
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await expect(widget.locator('.notice')).toHaveText(`We're back ${openDay} at 09:00. Leave your email and a message, and we'll write back.`);
  const text = `After hours ${tag}`;
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  // No email yet: the form asks for one and keeps the message.
  await expect(widget.getByRole('alert')).toHaveText('Leave your email so we can write back.');
  await expect(widget.getByRole('textbox', { name: 'Your email' })).toBeFocused();
  await expect(box).toHaveValue(text);
  await widget.getByRole('textbox', { name: 'Your email' }).fill(`late${tag}@example.com`);
  await box.press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  // The console shows it waiting, with the email on the customer panel.
  await admin.goto('/conversations');
  await hydrated(admin);
  await admin.getByRole('link', { name: text }).click();
  await expect(admin.locator('.customer-panel')).toContainText(`late${tag}@example.com`);
  await expect(admin.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Accept' })).toBeVisible();
});

test('offer mode: the chosen agent sees a countdown and declines; the next agent accepts', async ({ browser }) => {
  const tag = `${Date.now()}`.slice(-6);
  const { admin, key, agent, inboxUrl } = await routedInbox(browser, tag);
  // A second agent in the same inbox, and a 60 s offer.
  const other = { email: `otto${tag}@example.com`, name: `Otto Offer ${tag}` };
  await createAgent(admin, other);
  await admin.goto(inboxUrl);
  await hydrated(admin);
  await expect(admin.getByRole('heading', { name: `Routing ${tag}` })).toBeVisible();
  await admin.getByLabel(`Agent to add to Routing ${tag}`).selectOption({ label: `${other.name} (${other.email})` });
  await admin.getByRole('button', { name: 'Add to inbox' }).click();
  await expect(admin.locator('ul.members')).toContainText(other.name);
  const routing = admin.locator('section', { has: admin.getByRole('heading', { name: 'Routing', exact: true }) });
  await routing.getByLabel('Open chats per agent').fill('2');
  // Offer mode suggests 30 seconds; this test gives 60.
  await routing.getByLabel('Offer mode: the chosen agent must accept each chat').check();
  await expect(routing.getByLabel('Seconds to accept an offer')).toHaveValue('30');
  await routing.getByLabel('Seconds to accept an offer').fill('60');
  await routing.getByRole('button', { name: 'Save routing' }).click();
  await expect(routing.getByRole('status')).toHaveText('Saved');

  const rita = await (await browser.newContext()).newPage();
  await loginOk(rita, agent.email, 'routing-pass-1');
  const otto = await (await browser.newContext()).newPage();
  await loginOk(otto, other.email, 'routing-pass-1');

  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=${key}`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const text = `Offer me ${tag}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  // Exactly one of them gets the offer first; whoever it is declines.
  const offerOf = (p: Page) => p.locator('.alert', { hasText: 'A chat is offered to you' });
  await expect.poll(async () => (await offerOf(rita).count()) + (await offerOf(otto).count())).toBe(1);
  const [first, second] = (await offerOf(rita).count()) > 0 ? [rita, otto] : [otto, rita];
  await expect(offerOf(first).getByRole('timer')).toContainText(/\d+ s left to accept/);
  await offerOf(first).getByRole('button', { name: 'Decline' }).click();
  // The other gets it, accepts, and the customer sees who joined.
  await expect(offerOf(second)).toBeVisible();
  await offerOf(second).getByRole('button', { name: 'Accept' }).click();
  await expect(second.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(second.getByRole('list', { name: 'Messages' })).toContainText('declined the chat');
  await expect(widget.locator('.agent-name')).toHaveText(second === rita ? agent.name : other.name);
});
