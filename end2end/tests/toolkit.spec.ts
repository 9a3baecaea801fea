import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk, tcpProxy, agentPage, customerWidget, customerSays, openConversation, agentSays } from './helpers';

const SAM = ['sam.supervisor@example.com', 'supervisor-demo-pass'] as const;

async function samPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, SAM[0], SAM[1]);
  return page;
}

test('a canned response picked with / and the keyboard reaches the customer filled in', async ({ browser }) => {
  const agent = await agentPage(browser);
  const tag = `${Date.now()}`.slice(-6);
  const code = `thx${tag}`;
  await agent.goto('/settings/canned');
  await hydrated(agent);
  await agent.getByRole('button', { name: 'New response' }).click();
  await agent.getByLabel('Short code').fill(code);
  await agent.getByLabel('Title').fill(`Thanks ${tag}`);
  await agent.getByLabel('Text').fill('Hi {{customer.first_name | there}}, {{agent.name}} here from {{inbox.name}}.');
  await agent.getByRole('button', { name: 'Save response' }).click();
  const row = agent.locator(`tr[data-canned="${code}"]`);
  await expect(row).toContainText('Personal');
  await expect(row).toContainText('0 times');
  // An unknown variable is refused, naming it.
  await agent.getByRole('button', { name: 'New response' }).click();
  await agent.getByLabel('Short code').fill(`bad${tag}`);
  await agent.getByLabel('Title').fill('Bad');
  await agent.getByLabel('Text').fill('Hi {{customer.nickname}}');
  await agent.getByRole('button', { name: 'Save response' }).click();
  await expect(agent.getByRole('alert')).toContainText('{{customer.nickname}}');
  await agent.getByRole('button', { name: 'Cancel' }).click();

  const { widget } = await customerWidget(browser);
  const first = `Canned please ${tag}`;
  await customerSays(widget, first);
  await openConversation(agent, first);
  const reply = agent.getByRole('textbox', { name: 'Reply' });
  await reply.click();
  await agent.keyboard.type(`Well. /thx${tag.slice(0, 3)}`);
  const picker = agent.getByRole('listbox', { name: 'Canned responses' });
  await expect(picker.getByRole('option').first()).toContainText(`/${code}`);
  await expect(picker.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await agent.keyboard.press('Enter');
  await expect(picker).toHaveCount(0);
  await expect(reply).toHaveValue('Well. Hi there, Alex Operator here from Support.');
  await agent.keyboard.press('Enter');
  await expect(widget.locator('.messages')).toContainText('Well. Hi there, Alex Operator here from Support.');
  await agent.goto('/settings/canned');
  await expect(agent.locator(`tr[data-canned="${code}"]`)).toContainText('1 time');
});

test('a private note looks different, stays with the agents and never reaches the widget', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { widget } = await customerWidget(browser);
  const first = `Note test ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(agent, first);
  await agent.getByRole('textbox', { name: 'Reply' }).click();
  await agent.keyboard.press('Alt+n');
  await expect(agent.getByRole('tab', { name: 'Note' })).toHaveAttribute('aria-selected', 'true');
  await expect(agent.locator('.chat-composer')).toHaveAttribute('data-mode', 'note');
  await agent.getByRole('textbox', { name: 'Private note' }).fill('Customer is a VIP, be nice');
  await agent.getByRole('textbox', { name: 'Private note' }).press('Enter');
  await expect(agent.locator('.msg[data-visibility="internal"]:not(.pending)', { hasText: 'Customer is a VIP' })).toHaveCount(1);
  await expect(agent.locator('.msg[data-visibility="internal"]').first()).toContainText('Private note');
  // Back to replies; the reply arrives in the widget and the note never did.
  await agent.getByRole('tab', { name: 'Reply' }).click();
  await agentSays(agent, 'Happy to help!');
  await expect(widget.locator('.messages')).toContainText('Happy to help!');
  await expect(widget.locator('.messages')).not.toContainText('VIP');
});

test('typing shows both ways, and both "Seen" marks appear live', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { widget } = await customerWidget(browser);
  const first = `Typing test ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(agent, first);
  // The agent read the chat: the customer's message is marked seen in the widget.
  await expect(widget.locator('.msg-customer', { hasText: first }).locator('.seen-mark')).toHaveText('Seen');

  await widget.getByRole('textbox', { name: 'Message' }).pressSequentially('I have one more');
  await expect(agent.locator('.typing-mark')).toHaveText(/is typing…/);
  await agent.getByRole('textbox', { name: 'Reply' }).pressSequentially('Let me look');
  await expect(widget.locator('.typing')).toHaveText('Alex Operator is typing…');
  await agent.getByRole('textbox', { name: 'Reply' }).press('Enter');
  await expect(widget.locator('.messages')).toContainText('Let me look');
  await expect(widget.locator('.typing')).toBeHidden();
  // The customer has the panel open: the reply is seen, shown under it in the console.
  await expect(agent.locator('.msg-agent', { hasText: 'Let me look' }).locator('.seen-mark')).toHaveText('Seen');
  // Both survive a reload.
  await agent.reload();
  await hydrated(agent);
  await expect(agent.locator('.msg-agent', { hasText: 'Let me look' }).locator('.seen-mark')).toHaveText('Seen');
});

test('two agents on one chat see each other, and the send guard catches a message that arrived meanwhile', async ({ browser }) => {
  const alex = await agentPage(browser);
  const sam = await samPage(browser);
  const { widget } = await customerWidget(browser);
  const first = `Collision ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(alex, first);
  await openConversation(sam, first);
  await expect(alex.getByTestId('also-viewing').first()).toHaveText('Sam Supervisor is also viewing');
  await expect(sam.getByTestId('also-viewing').first()).toHaveText('Alex Operator is also viewing');

  await alex.getByRole('textbox', { name: 'Reply' }).pressSequentially('Working on it');
  await expect(sam.getByTestId('writing-reply').first()).toHaveText('Alex Operator is writing a reply…');
  // Above the reply box too.
  await expect(sam.locator('.composer-warnings [data-testid="writing-reply"]')).toBeVisible();

  // Sam drafts; the customer writes meanwhile; sending first shows what arrived.
  await sam.getByRole('textbox', { name: 'Reply' }).fill('Here is the answer');
  await customerSays(widget, 'Actually, never mind the first part');
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText('Actually, never mind');
  await sam.getByRole('textbox', { name: 'Reply' }).press('Enter');
  const guard = sam.getByRole('alertdialog');
  await expect(guard).toContainText('Actually, never mind the first part');
  await expect(sam.locator('.msg-agent', { hasText: 'Here is the answer' })).toHaveCount(0);
  await guard.getByRole('button', { name: 'Send anyway' }).click();
  await expect(widget.locator('.messages')).toContainText('Here is the answer');

  // Alex leaves the chat: Sam's warning goes.
  await alex.goto('/settings/profile');
  await expect(sam.getByTestId('also-viewing')).toHaveCount(0);
  await expect(sam.getByTestId('writing-reply')).toHaveCount(0);
});

test('Ctrl+K jumps to a chat by the customer\'s name; ? lists the shortcuts', async ({ browser }) => {
  const sam = await samPage(browser);
  const name = `Kay${Date.now()}`;
  const token = `cmd-${name}-abcdefghijklmnop`;
  const start = await sam.request.post('/api/widget/conversations', { data: { inbox: 'demo-support', token, name } });
  expect(start.ok()).toBeTruthy();
  const id = (await start.json()).conversation.id;
  const sent = await sam.request.post(`/api/widget/conversations/${id}/messages`, {
    headers: { authorization: `Bearer ${token}` },
    data: { client_id: 'k1', body: 'Find me by name' },
  });
  expect(sent.status()).toBe(201);

  await sam.keyboard.press('Control+k');
  const bar = sam.getByRole('dialog', { name: 'Command bar' });
  const input = bar.getByRole('combobox');
  await expect(input).toBeFocused();
  await input.pressSequentially(name);
  await expect(bar.getByRole('option').first()).toContainText(name);
  await sam.keyboard.press('Enter');
  await expect(sam).toHaveURL(new RegExp(`/inbox/${id}$`));
  await expect(sam.getByRole('list', { name: 'Messages' })).toContainText('Find me by name');
  await expect(bar).toHaveCount(0);

  // ? opens the list of shortcuts (not while typing), Esc closes it.
  await sam.locator('h1').first().click();
  await sam.keyboard.press('?');
  const help = sam.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Ctrl/Cmd+K');
  await expect(help).toContainText('Mark the chat as solved');
  await sam.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await sam.getByRole('textbox', { name: 'Reply' }).click();
  await sam.keyboard.press('?');
  await expect(help).toHaveCount(0);
  await expect(sam.getByRole('textbox', { name: 'Reply' })).toHaveValue('?');
});

test('a note with @Jo alerts Jo, lists the chat under Mentions, and never reaches the widget', async ({ browser }) => {
  const sam = await samPage(browser);
  const jo = await (await browser.newContext()).newPage();
  await loginOk(jo, 'jo.operator@example.com', 'operator-demo-pass');
  const { widget } = await customerWidget(browser, 'demo-billing');
  const first = `Invoice question ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(sam, first, 'Billing');
  await sam.getByRole('textbox', { name: 'Reply' }).click();
  await sam.keyboard.press('Alt+n');
  const note = sam.getByRole('textbox', { name: 'Private note' });
  // Alex works Support only: mentioning them here is refused, saying why.
  await note.fill('@Alex Operator any idea?');
  await note.press('Enter');
  await expect(sam.locator('.chat-main')).toContainText('Alex Operator is not a member');
  await note.fill('');
  await note.pressSequentially('Could you check this @Jo');
  const picker = sam.getByRole('listbox', { name: 'Mention a colleague' });
  await expect(picker.getByRole('option').first()).toHaveText('@Jo Operator');
  await sam.keyboard.press('Enter');
  await expect(note).toHaveValue('Could you check this @Jo Operator ');
  await note.press('Enter');
  await expect(sam.locator('.msg[data-visibility="internal"]:not(.pending)', { hasText: 'Could you check this' })).toHaveCount(1);

  const alert = jo.locator('.alert', { hasText: 'Sam Supervisor mentioned you' });
  await expect(alert).toContainText('Could you check this @Jo Operator');
  await expect(jo.locator('.mentions-link .badge')).toHaveText('1');
  // The sidebar's Mentions group lists the chat; opening it reads the mention.
  await jo.locator('.mentions-link').click();
  await expect(jo.locator('#queue-title')).toHaveText('Mentions');
  await jo.locator('.queue-list a.queue-row').first().click();
  await expect(jo.getByRole('list', { name: 'Messages' })).toContainText('Could you check this');
  await expect(jo.locator('.mentions-link .badge')).toHaveCount(0);
  await jo.goto('/mentions');
  await expect(jo.locator('.mentions li').first()).toContainText('Sam Supervisor mentioned you');

  await sam.getByRole('tab', { name: 'Reply' }).click();
  await agentSays(sam, 'We are looking into it');
  await expect(widget.locator('.messages')).toContainText('We are looking into it');
  await expect(widget.locator('.messages')).not.toContainText('Could you check');
});

test('replies written offline wait, survive a reload and reach the customer once each, in order', async ({ browser, baseURL }) => {
  const proxy = await tcpProxy(new URL(baseURL!));
  try {
    const { widget } = await customerWidget(browser);
    const first = `Offline test ${Date.now()}`;
    await customerSays(widget, first);
    const agent = await (await browser.newContext({ baseURL: proxy.origin })).newPage();
    await loginOk(agent, 'alex.operator@example.com', 'operator-demo-pass');
    await openConversation(agent, first);
    await expect(agent.locator('.connection')).toHaveText('live');
    const chatUrl = agent.url();

    await proxy.cut();
    await expect(agent.locator('.connection')).toHaveText('reconnecting…');
    const reply = agent.getByRole('textbox', { name: 'Reply' });
    for (const n of [1, 2, 3]) {
      await reply.fill(`offline ${n}`);
      await reply.press('Enter');
    }
    const pending = agent.locator('.msg.pending');
    await expect(pending).toHaveCount(3);
    await expect(pending.last()).toContainText('Waiting for the network');
    // The tab is reloaded while the network is still down (the page cannot load),
    // then the network comes back and the chat is opened again.
    await agent.reload().catch(() => undefined);
    await proxy.restore();
    // The failed load may still be landing on Chromium's error page: retry.
    await expect(async () => {
      await agent.goto(chatUrl);
    }).toPass({ timeout: 10_000 });
    await hydrated(agent);
    await expect(widget.locator('.msg-agent', { hasText: 'offline 3' })).toHaveCount(1);
    const sent = (await widget.locator('.msg-agent .body').allTextContents()).filter((t) => t.startsWith('offline'));
    expect(sent).toEqual(['offline 1', 'offline 2', 'offline 3']);
    await expect(agent.locator('.msg.pending')).toHaveCount(0);
    for (const n of [1, 2, 3]) {
      await expect(agent.locator('.msg-agent:not(.pending)', { hasText: `offline ${n}` })).toHaveCount(1);
    }
  } finally {
    await proxy.close();
  }
});

test('drafts are kept per chat and per mode, across a chat switch and a reload, until sent', async ({ browser }) => {
  const agent = await agentPage(browser);
  const { widget } = await customerWidget(browser);
  const first = `Draft test ${Date.now()}`;
  await customerSays(widget, first);
  await openConversation(agent, first);
  const reply = agent.getByRole('textbox', { name: 'Reply' });
  const note = agent.getByRole('textbox', { name: 'Private note' });
  await reply.fill('half a reply');
  await agent.getByRole('tab', { name: 'Note' }).click();
  await note.fill('half a note');

  // Away to the list and back, without a page load.
  await openConversation(agent, first);
  await expect(reply).toHaveValue('half a reply');
  await agent.getByRole('tab', { name: 'Note' }).click();
  await expect(note).toHaveValue('half a note');
  // A reload keeps both.
  await agent.reload();
  await hydrated(agent);
  await expect(reply).toHaveValue('half a reply');
  await agent.getByRole('tab', { name: 'Note' }).click();
  await expect(note).toHaveValue('half a note');
  // Sent, a draft is gone; the other one stays.
  await note.press('Enter');
  await expect(agent.locator('.msg[data-visibility="internal"]:not(.pending)', { hasText: 'half a note' })).toHaveCount(1);
  await agent.reload();
  await hydrated(agent);
  await expect(reply).toHaveValue('half a reply');
  await agent.getByRole('tab', { name: 'Note' }).click();
  await expect(note).toHaveValue('');
  await expect(widget.locator('.messages')).not.toContainText('half a');
});
