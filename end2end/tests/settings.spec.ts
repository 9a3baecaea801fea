import type { Page } from '@playwright/test';
import { test, expect, hydrated, loginOk, ADMIN, watchConsole } from './helpers';

const HOST = process.env.E2E_HOST_URL ?? 'http://127.0.0.1:3101';

/** WCAG contrast of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

async function supportSettings(page: Page) {
  await loginOk(page, ADMIN.email, ADMIN.password);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Inboxes' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Support' }).click();
  await expect(page.getByRole('heading', { name: 'Support', level: 2 })).toBeVisible();
  await hydrated(page);
}

async function setLook(page: Page, color: string, launcher: 'left' | 'right', greeting: string) {
  const look = page.getByRole('region', { name: 'Widget appearance' });
  await look.getByRole('textbox', { name: 'Brand colour', exact: true }).fill(color);
  await look.getByLabel('Greeting').fill(greeting);
  await look.getByLabel('Launcher').selectOption(launcher);
  await look.getByRole('button', { name: 'Save appearance' }).click();
  await expect(look.getByRole('status')).toHaveText('Saved');
}

test('a brand colour set in settings reaches the widget on the host site, with readable header text', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  const problems = watchConsole(admin);
  await supportSettings(admin);
  // The preview follows the form before anything is saved.
  const look = admin.getByRole('region', { name: 'Widget appearance' });
  await look.getByRole('textbox', { name: 'Brand colour', exact: true }).fill('#ffe066');
  const previewHead = admin.locator('.widget-preview .wp-head');
  await expect(previewHead).toHaveCSS('background-color', 'rgb(255, 224, 102)');
  await expect(previewHead).toHaveCSS('color', 'rgb(0, 0, 0)');
  // A bad colour is refused with a reason, and nothing changes.
  await look.getByRole('textbox', { name: 'Brand colour', exact: true }).fill('yellowish');
  await look.getByRole('button', { name: 'Save appearance' }).click();
  await expect(look.getByRole('alert')).toContainText('#2f5bea');

  // A light yellow, the launcher on the left, a greeting.
  await setLook(admin, '#ffe066', 'left', 'Hi! We answer within minutes.');
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${HOST}/?inbox=demo-support`);
  const frame = customer.locator('iframe[data-switchboard]');
  const widget = customer.frameLocator('iframe[data-switchboard]');
  const launcher = widget.getByRole('button', { name: 'Open chat' });
  await expect(launcher).toHaveCSS('background-color', 'rgb(255, 224, 102)');
  await expect(frame).toHaveCSS('left', '12px');
  await launcher.click();
  await expect(widget.locator('.greeting')).toHaveText('Hi! We answer within minutes.');
  const head = widget.locator('.head');
  const [bg, fg] = await head.evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]);
  expect(bg).toBe('rgb(255, 224, 102)');
  expect(contrast(bg, fg)).toBeGreaterThanOrEqual(4.5);

  // Back to the default look for everyone else.
  await setLook(admin, '#2f5bea', 'right', '');
  // The refused save above is the only failed request; nothing else complained.
  expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
});

test('the embed code has a Copy button, and every setting control has a name', async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  await supportSettings(page);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('data-inbox="demo-support"');
  // Every form control on the page is named for assistive technology.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((e) => !(e as HTMLElement).closest('[hidden]'))
      .filter((e) => {
        const el = e as HTMLInputElement;
        const label = el.labels && el.labels.length > 0;
        return !label && !el.getAttribute('aria-label') && !(el.textContent ?? '').trim();
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(unnamed).toEqual([]);
});

test('on a phone the open widget takes the whole screen; closed, it is only the launcher', async ({ browser }) => {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${HOST}/?inbox=demo-support`);
  const frame = page.locator('iframe[data-switchboard]');
  const widget = page.frameLocator('iframe[data-switchboard]');
  await widget.getByRole('button', { name: 'Open chat' }).click();
  await expect(widget.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect.poll(async () => await frame.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  await widget.getByRole('button', { name: 'Close chat' }).click();
  await expect.poll(async () => (await frame.boundingBox())?.width).toBe(76);
});
