import type { Browser, Page } from '@playwright/test';
import { test, expect, hydrated, loginOk } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

async function agent(browser: Browser, email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginOk(page, email, password);
  await expect(page.locator('.connection')).toHaveText('live');
  return page;
}

test('three agents: invite, accept, decline, off the record, the originator leaves, the transcript lands', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const widget = customer.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  const text = `Tricky case ${Date.now()}`;
  await widget.getByRole('textbox', { name: 'Message' }).fill(text);
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(widget.locator('.msg-customer:not(.pending)', { hasText: text })).toHaveCount(1);

  const a = await agent(browser, 'sam.supervisor@example.com', 'supervisor-demo-pass');
  const b = await agent(browser, 'alex.operator@example.com', 'operator-demo-pass');
  const c = await agent(browser, 'jo.operator@example.com', 'operator-demo-pass');

  await a.goto('/conversations?q=' + encodeURIComponent(text));
  await hydrated(a);
  await a.getByRole('link', { name: text }).first().click();
  // The router changes the address once the page's code has arrived (the open
  // conversation is split out of the first load).
  await expect(a).toHaveURL(/\/conversations\/\d+$/);
  const chatUrl = a.url();
  await a.getByRole('button', { name: 'Team chat' }).click();
  await expect(a).toHaveURL(/\/team-chat\/\d+$/);
  await expect(a.getByRole('list', { name: 'Team messages' })).toContainText('Sam Supervisor started the team chat');

  await a.getByRole('button', { name: 'Invite', exact: true }).click();
  const invite = a.getByRole('dialog', { name: 'Invite to the team chat' });
  await expect(invite.getByText('Alex Operator')).toBeVisible();
  await invite.getByRole('button', { name: 'Invite Alex Operator' }).click();
  await invite.getByRole('button', { name: 'Invite Jo Operator' }).click();
  await expect(invite.getByRole('button', { name: 'Invite Jo Operator' })).toHaveText('Invited');
  await invite.getByRole('button', { name: 'Done' }).click();

  const popB = b.getByRole('alertdialog', { name: 'Invitation from Sam Supervisor' });
  await popB.getByRole('button', { name: 'Accept' }).click();
  await expect(b).toHaveURL(/\/team-chat\/\d+$/);
  const sessionUrl = b.url();
  await c.getByRole('alertdialog', { name: 'Invitation from Sam Supervisor' }).getByRole('button', { name: 'Decline' }).click();

  const dialogA = a.getByRole('list', { name: 'Team messages' });
  await expect(dialogA).toContainText('Alex Operator joined');
  await expect(dialogA).toContainText('Jo Operator declined the invitation');
  // The attendees' availability is live in the window.
  const alexThere = a.getByRole('list', { name: 'Connections' }).locator('li', { hasText: 'Alex Operator' }).locator('.presence');
  await expect(alexThere).toHaveAttribute('data-presence', 'online');
  await b.getByLabel('Your availability').selectOption('away');
  await expect(alexThere).toHaveAttribute('data-presence', 'away');

  await a.getByRole('textbox', { name: 'Team message' }).fill('Hello team, see the customer chat');
  await a.getByRole('button', { name: 'Send' }).click();
  await a.getByLabel('Off the record', { exact: true }).check();
  await a.getByLabel('Off the record with').selectOption({ label: 'Alex Operator' });
  await a.getByRole('textbox', { name: 'Team message' }).fill('just between us: refund it');
  await a.getByRole('button', { name: 'Send' }).click();

  const dialogB = b.getByRole('list', { name: 'Team messages' });
  await expect(dialogB).toContainText('Hello team, see the customer chat');
  await expect(dialogB).toContainText('just between us: refund it');
  await expect(b.locator('.off-record-note[role=status]')).toHaveText('Sam Supervisor is talking to you off the record');
  // Jo declined: the session is closed to them, and nothing reached their page.
  await expect(c.locator('body')).not.toContainText('just between us');
  await c.goto(sessionUrl);
  await expect(c.getByRole('heading', { name: 'Team chat not found' })).toBeVisible();
  // Invited again while on that very page: accepting shows the window, no reload.
  await a.getByRole('button', { name: 'Invite', exact: true }).click();
  await a.getByRole('dialog', { name: 'Invite to the team chat' }).getByRole('button', { name: 'Invite Jo Operator' }).click();
  await a.getByRole('dialog', { name: 'Invite to the team chat' }).getByRole('button', { name: 'Done' }).click();
  await c.getByRole('alertdialog', { name: 'Invitation from Sam Supervisor' }).getByRole('button', { name: 'Accept' }).click();
  await expect(c.getByRole('list', { name: 'Team messages' })).toContainText('Jo Operator joined');
  await expect(c.getByRole('heading', { name: 'Team chat not found' })).toHaveCount(0);
  // Off-the-record lines from before Jo joined stay between their two parties.
  await expect(c.getByRole('list', { name: 'Team messages' })).not.toContainText('just between us');

  await expect(a.getByRole('timer', { name: 'Chat time' })).toHaveText(/^\d\d:\d\d$/);
  await a.getByRole('button', { name: 'Leave' }).click();
  await expect(a).toHaveURL(/\/team-chat$/);
  await expect(b.getByText('This team chat has ended.')).toBeVisible();

  await a.goto(chatUrl);
  const messages = a.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('Team chat "Chat with');
  await expect(messages).toContainText('chat time');
  await expect(messages).toContainText('Hello team, see the customer chat');
  await expect(messages).not.toContainText('just between us');

  // Sam takes the chat. Alex took part in the team chat about it: he may still read
  // it, but it is not his to answer, so there is no reply box.
  await a.getByRole('toolbar', { name: 'Conversation actions' }).getByRole('button', { name: 'Accept' }).click();
  await expect(a.getByTestId('assignee')).toContainText('Assigned to Sam Supervisor');
  await b.goto(chatUrl);
  await expect(b.getByRole('list', { name: 'Messages' })).toContainText(text);
  await expect(b.getByText("You can read this chat; it is a colleague's to answer.")).toBeVisible();
  await expect(b.getByRole('textbox', { name: 'Reply' })).toHaveCount(0);
});
