import { test, expect, ADMIN, hydrated, login, watchConsole } from './helpers';

test('a wrong password shows an error and opens no session', async ({ page, context }) => {
  await login(page, ADMIN.email, 'not-the-password');
  await expect(page.getByRole('alert')).toContainText('wrong email or password');
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).find((c) => c.name === 'sb_session')).toBeUndefined();
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('admin creates an operator, who then sees only their inboxes', async ({ page, context }) => {
  const problems = watchConsole(page);
  await login(page, ADMIN.email, ADMIN.password);
  await expect(page.locator('.me-name')).toHaveText('Ada Admin');
  await hydrated(page);
  const session = (await context.cookies()).find((c) => c.name === 'sb_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');

  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const sections = page.getByRole('navigation', { name: 'Settings' });
  await sections.getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { name: 'Agents' })).toBeVisible();

  const email = `casey.${Date.now()}@example.com`;
  const form = page.getByRole('form', { name: 'Create agent' });
  await form.getByLabel('Name').fill('Casey Operator');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('Password').fill('casey-password-1');
  await form.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.locator(`tr[data-agent="${email}"]`)).toContainText('Operator');

  // Each inbox has its own settings page.
  await sections.getByRole('link', { name: 'Inboxes' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Billing' }).click();
  await expect(page.getByRole('heading', { name: 'Billing', level: 2 })).toBeVisible();
  const billing = page.getByRole('region', { name: 'Members' });
  await billing.getByLabel('Agent to add to Billing').selectOption({ label: `Casey Operator (${email})` });
  await billing.getByLabel('Role in Billing').selectOption('operator');
  await billing.getByRole('button', { name: 'Add to inbox' }).click();
  await expect(billing.getByText('Casey Operator · operator')).toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).find((c) => c.name === 'sb_session')?.value ?? '').toBe('');

  await login(page, email, 'casey-password-1');
  await expect(page.locator('.me-name')).toHaveText('Casey Operator');
  await expect(page.locator('.me-role')).toHaveText('Operator');
  await expect(page.locator('ul.inboxes > li > a')).toHaveText(['Billing']);
  // An operator's settings are their profile alone; the admin sections say no.
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link')).toHaveText(['Profile', 'Canned responses']);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/settings\/agents$/);
  await expect(page.getByRole('heading', { name: 'Admins only' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('login works from the keyboard alone', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').focus();
  await page.keyboard.type('sam.supervisor@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('supervisor-demo-pass');
  await page.keyboard.press('Enter');
  await expect(page.locator('.me-name')).toHaveText('Sam Supervisor');
  await expect(page.locator('ul.inboxes > li > a')).toHaveText(['Billing', 'Support']);
});

test('a deactivated agent is logged out on their next request', async ({ browser }) => {
  const adminCtx = await browser.newContext();
  const opCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  const op = await opCtx.newPage();
  await login(op, 'jo.operator@example.com', 'operator-demo-pass');
  await expect(op.locator('.me-name')).toHaveText('Jo Operator');

  await login(admin, ADMIN.email, ADMIN.password);
  await expect(admin.locator('.me-name')).toHaveText('Ada Admin');
  await admin.goto('/admin');
  await hydrated(admin);
  await admin.getByRole('button', { name: 'Deactivate Jo Operator' }).click();
  await expect(admin.locator('tr[data-agent="jo.operator@example.com"]')).toContainText('Deactivated');

  await op.reload();
  await expect(op).toHaveURL(/\/login$/);
  await admin.getByRole('button', { name: 'Activate Jo Operator' }).click();
  await expect(admin.locator('tr[data-agent="jo.operator@example.com"]')).toContainText('Active');
  await adminCtx.close();
  await opCtx.close();
});
