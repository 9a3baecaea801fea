import { readFileSync } from 'node:fs';
import { test, expect, hydrated, loginOk } from './helpers';

test('reports: a chart with its definition and data table, per day and per hour, and the CSV download', async ({ page }) => {
  await loginOk(page, 'sam.supervisor@example.com', 'supervisor-demo-pass');
  await page.getByRole('link', { name: 'Reports' }).click();
  await expect(page).toHaveURL(/\/reports$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();

  // Last 7 days by default: a bar per day, each value on hover.
  const chart = page.getByRole('img', { name: 'Conversations per day' });
  await expect(chart).toBeVisible();
  await expect(chart.locator('rect title').first()).toHaveText(/^\d{4}-\d\d-\d\d: \d+ chats$/);
  const figure = page.locator('figure', { has: page.getByRole('heading', { name: 'First response time' }) });
  await expect(figure.locator('.definition')).toContainText('first public reply by a person');
  await expect(page.getByRole('img', { name: /First response time per day/ })).toBeVisible();
  // Its own data table: median, 90th percentile and how many were answered, per day.
  await figure.getByText('First response time: data table').click();
  await expect(figure.locator('table thead th')).toHaveText(['Day', 'Median', '90th percentile', 'Answered']);
  await expect(figure.locator('table tbody tr')).toHaveCount(8);

  // The data table behind the chart: seven days and the total, matching the tile.
  const conversations = page.locator('figure', { has: page.getByRole('heading', { name: 'Conversations', exact: true }) });
  await conversations.getByText('Conversations: data table').click();
  const rows = conversations.locator('table tbody tr');
  await expect(rows).toHaveCount(8);
  const total = await rows.last().locator('td').first().textContent();
  await expect(page.locator('.tile', { hasText: 'Conversations' }).locator('.tile-value')).toHaveText(total!);
  expect(Number(total)).toBeGreaterThan(0);

  const [download] = await Promise.all([page.waitForEvent('download'), conversations.getByRole('link', { name: 'Download conversations as CSV' }).click()]);
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('bucket,conversations,first_response_median_s,first_response_p90_s,resolution_median_s,resolution_p90_s,csat_percent,csat_answers,sla_first_response_met_percent,sla_next_response_met_percent,sla_resolution_met_percent');
  expect(lines).toHaveLength(9);
  expect(lines[8].split(',')[1]).toBe(total);

  // One day is by the hour.
  await page.getByRole('combobox', { name: /^Range/ }).selectOption({ label: 'Today' });
  await expect(page.getByRole('img', { name: 'Conversations per hour' })).toBeVisible();
  await expect(rows).toHaveCount(25);
  await expect(page.getByRole('img', { name: 'New chats by weekday and hour' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Per agent' })).toBeVisible();
});
