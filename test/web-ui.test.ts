// The account interface in a real browser (Debian's Chromium): an admin signs in and walks the
// product page's flow exactly (gear → Account Integrations → APIs & Webhooks → Create Webhook →
// name and URL → Next → events → Create → Copy & close), the copied secret verifies a real signed
// delivery, View Secret shows it again, Delete asks first. Validation messages, text-only names,
// keyboard use and a 390 px wide screen are checked too. Screenshots go to test-artifacts/screenshots/.
import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../src/accounts/store.js';
import { createAdmin } from '../src/admins/service.js';
import { launchChromium, screenshot } from './support/browser.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';

let server: TestServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver();
  server = await startServer({ env: receiverEnv() });
  const accountId = (await listAccounts(server.running.ctx.db))[0]!.id;
  await createAdmin(server.running.ctx, accountId, EMAIL, PASSWORD);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

async function openPage(width = 1280, height = 900): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(server.url);
  return { context, page, dialogs };
}

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Settings' }).waitFor();
}

/** Gear icon → Account Integrations → APIs & Webhooks tile. */
async function goToWebhooks(page: Page, shots = false): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  if (shots) await screenshot(page, '02-gear-menu');
  await page.getByRole('menuitem', { name: 'Account Integrations' }).click();
  await page.getByRole('heading', { name: 'Account Integrations' }).waitFor();
  if (shots) await screenshot(page, '03-account-integrations');
  await page.getByRole('link', { name: /APIs & Webhooks/ }).click();
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
}

const row = (page: Page, name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });

describe('creating and managing a webhook, as the product page walks through it', () => {
  it('creates a webhook, copies its secret, verifies a test delivery with it, views it again and deletes the webhook', async () => {
    const { context, page, dialogs } = await openPage();
    await screenshot(page, '01-sign-in');
    await signIn(page);
    await goToWebhooks(page, true);
    await screenshot(page, '04-webhooks-empty');

    await page.getByRole('button', { name: 'Create Webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    await dialog.getByLabel('Webhook Name').fill('New bookings');
    await dialog.getByLabel('Webhook URL').fill(`${receiver.url}/hooks/oncehub`);
    await screenshot(page, '05-create-name-url');
    await dialog.getByRole('button', { name: 'Next' }).click();

    // One checkbox per event, grouped, each described as on the product page.
    await expect(dialog.getByRole('group', { name: 'Booking events' }).getByRole('checkbox').count()).resolves.toBe(8);
    await expect(dialog.getByRole('group', { name: 'Conversation events' }).getByRole('checkbox').count()).resolves.toBe(3);
    const scheduled = dialog.getByRole('checkbox', { name: 'Booking Scheduled Event' });
    await expect(scheduled.getAttribute('aria-describedby').then((id) => page.locator(`#${id}`).textContent())).resolves.toBe(
      'Triggers when a customer schedules a new booking.',
    );
    await scheduled.check();
    await dialog.getByRole('checkbox', { name: 'Conversation Abandoned Event' }).check();
    await screenshot(page, '06-create-events');
    await dialog.getByRole('button', { name: 'Create' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Webhook Secret' });
    const shown = await secretDialog.getByLabel('Webhook Secret').inputValue();
    expect(shown).toMatch(/^[0-9a-f]{32}$/);
    await screenshot(page, '07-webhook-secret');
    await secretDialog.getByRole('button', { name: 'Copy & close' }).click();
    await secretDialog.waitFor({ state: 'detached' });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);

    const item = row(page, 'New bookings');
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain(`${receiver.url}/hooks/oncehub`);
    await expect(item.textContent()).resolves.toContain('Enabled');
    await screenshot(page, '08-webhooks-list');

    // Send a test event from the page; the receiver's copy verifies with the copied secret.
    await item.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: /delivered \(HTTP 200/ }).waitFor();
    const [delivery] = await receiver.waitFor(1);
    const [, t, s] = /^t=(\d+),s=([0-9a-f]{64})$/.exec(delivery!.headers['oncehub-signature']!)!;
    expect(s).toBe(createHmac('sha256', copied).update(`${t}.${delivery!.body}`).digest('hex'));
    expect(JSON.parse(delivery!.body)).toMatchObject({ object: 'event', type: 'booking.scheduled' });

    // View Secret shows the same secret again.
    await item.getByRole('button', { name: 'View Secret' }).click();
    const again = page.getByRole('dialog', { name: 'Webhook Secret' });
    await expect(again.getByLabel('Webhook Secret').inputValue()).resolves.toBe(copied);
    await again.getByRole('button', { name: 'Copy & close' }).click();
    await again.waitFor({ state: 'detached' });

    // Delete asks first, saying it is permanent.
    await item.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete webhook' });
    await expect(confirm.textContent()).resolves.toMatch(/permanently removes/);
    await screenshot(page, '09-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete permanently' }).click();
    await item.waitFor({ state: 'detached' });
    expect((await server.api('GET', '/v2/webhooks')).body.data).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});

describe("a webhook's page", () => {
  it('shows its status, sends a test event of a chosen type, lists the attempts, redelivers, and disables and enables it', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'Detail page', url: `${receiver.url}/detail`, events: ['booking'] });
    const { context, page } = await openPage();
    await signIn(page);
    await goToWebhooks(page);
    await row(page, 'Detail page').getByRole('link', { name: 'Detail page' }).click();
    await page.getByRole('heading', { name: 'Detail page', level: 1 }).waitFor();
    await page.getByText('Enabled', { exact: true }).waitFor();

    const before = receiver.received.length;
    await page.getByLabel('Test event type').selectOption('booking.canceled');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: /booking\.canceled event: delivered \(HTTP 200, \d+ ms\)/ }).waitFor();
    const log = page.getByRole('list', { name: 'Delivery log' });
    const entry = log.getByRole('listitem').first();
    await expect(entry.getByRole('heading').textContent()).resolves.toBe('Booking Canceled Event');
    await expect(entry.getByRole('cell').nth(1).textContent()).resolves.toBe('Succeeded: HTTP 200');
    await entry.getByRole('button', { name: 'Show envelope' }).click();
    await expect(entry.locator("pre.payload").textContent()).resolves.toMatch(/^{\n  "id": "EVNT-[A-Z0-9]{10}",\n  "object": "event",[\s\S]*"api_version": "v2",[\s\S]*"data": {[\s\S]*"object": "booking"/);
    await screenshot(page, '11-webhook-page');

    await entry.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByRole('status').filter({ hasText: /queued to be delivered again/ }).waitFor();
    const arrived = await receiver.waitFor(before + 2);
    expect(arrived[before + 1]!.headers['webhook-id']).toBe(arrived[before]!.headers['webhook-id']);

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled: Disabled by the account.').waitFor();
    expect((await server.api('GET', `/v2/webhooks/${created.body.id}`)).body.status).toBe('disabled');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Enabled', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'APIs & Webhooks' }).click();
    await row(page, 'Detail page').waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await row(page, 'Detail page').getByRole('link', { name: 'Detail page' }).click();
    await page.getByRole('list', { name: 'Delivery log' }).waitFor();
    await screenshot(page, '11-webhook-page');
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await context.close();
  });
});

describe('the APIs part', () => {
  it('creates an API key shown once and copied, lists it by label and last use, and revokes it', async () => {
    const { context, page } = await openPage();
    await signIn(page);
    await goToWebhooks(page);
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.locator('#api-key-label-error').textContent()).resolves.toBe('Enter a label with at least one letter or digit.');
    await dialog.getByLabel('Label').fill('Reporting job');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByRole('dialog', { name: 'API key' });
    const key = await shown.getByLabel('API key').inputValue();
    await shown.getByRole('button', { name: 'Copy & close' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(200);

    await page.reload();
    await goToWebhooks(page);
    const keys = page.getByRole('list', { name: 'API keys list' });
    const item = keys.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Reporting job', exact: true }) });
    await expect(item.textContent()).resolves.toMatch(/Last used/);
    await expect(item.textContent()).resolves.toContain(`…${key.slice(-4)}`);
    await expect(page.content()).resolves.not.toContain(key);
    await screenshot(page, '12-api-keys');
    await item.getByRole('button', { name: 'Revoke Reporting job' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke API key' }).getByRole('button', { name: 'Revoke permanently' }).click();
    await item.getByText(/^Revoked /).waitFor();
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(401);
    await context.close();
  });
});

describe('validation', () => {
  it('shows a clear message next to each bad input, before sending and after the server answers', async () => {
    await server.api('POST', '/v2/webhooks', { name: 'Already here', url: 'https://example.com/a', events: ['booking'] });
    const { context, page } = await openPage();
    await signIn(page);
    await goToWebhooks(page);
    await row(page, 'Already here').waitFor();
    await page.getByRole('button', { name: 'Create Webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    const name = dialog.getByLabel('Webhook Name');
    const url = dialog.getByLabel('Webhook URL');
    const next = dialog.getByRole('button', { name: 'Next' });
    const nameError = page.locator('#webhook-name-error');
    const urlError = page.locator('#webhook-url-error');

    await next.click();
    await expect(nameError.textContent()).resolves.toBe('Enter a webhook name.');
    await name.fill('!!! ---');
    await url.fill('http://example.com/hook');
    await next.click();
    await expect(nameError.textContent()).resolves.toBe('The webhook name must contain at least one alphanumeric character.');
    await expect(urlError.textContent()).resolves.toBe('The webhook URL must start with https://');
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await screenshot(page, '10-validation');
    await name.fill('already HERE');
    await url.fill('https://example.com/hook');
    await next.click();
    await expect(nameError.textContent()).resolves.toBe('A webhook with this name already exists. Choose a unique name.');

    // No event chosen.
    await name.fill('Taken meanwhile');
    await next.click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.locator('#events-error').textContent()).resolves.toBe('Select at least one event.');

    // The server's answers: a name taken since the page loaded, a URL with a password in it.
    await server.api('POST', '/v2/webhooks', { name: 'Taken meanwhile', url: 'https://example.com/b', events: ['booking'] });
    await dialog.getByRole('checkbox', { name: 'Booking Canceled Event' }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(nameError.textContent()).resolves.toBe('A webhook with this name already exists. Choose a unique name.');
    await name.fill('Fresh name');
    await url.fill('https://user:secret@example.com/hook');
    await next.click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await urlError.filter({ hasText: /.+/ }).waitFor();
    const serverMessage = (await server.api('POST', '/v2/webhooks', { name: 'x1', url: 'https://user:secret@example.com/hook', events: ['booking'] })).body
      .message as string;
    await expect(urlError.textContent()).resolves.toBe(serverMessage);
    await context.close();
  });
});

describe('safety and accessibility', () => {
  it('shows a webhook name made of HTML as text, and no script runs', async () => {
    const { context, page, dialogs } = await openPage();
    await signIn(page);
    await goToWebhooks(page);
    const evil = '<img src=x onerror=alert(1)>';
    await page.getByRole('button', { name: 'Create Webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    await dialog.getByLabel('Webhook Name').fill(evil);
    await dialog.getByLabel('Webhook URL').fill(`${receiver.url}/evil`);
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByRole('checkbox', { name: 'Booking No Show Event' }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Copy & close' }).click();
    const item = row(page, evil);
    await item.waitFor();
    await expect(item.getByRole('heading').textContent()).resolves.toBe(evil);
    await expect(page.locator('main img').count()).resolves.toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('keeps focus inside the pop-up, closes it with Escape and returns focus to the button that opened it', async () => {
    const { context, page } = await openPage();
    await signIn(page);
    await goToWebhooks(page);
    const opener = page.getByRole('button', { name: 'Create Webhook' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Create Webhook' });
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('webhook-name');
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).resolves.toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(opener.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await context.close();
  });

  it('opens the gear menu from the keyboard: Enter, arrow keys, Escape back to the gear, Tab away closes it', async () => {
    const { context, page } = await openPage();
    await signIn(page);
    const gear = page.getByRole('button', { name: 'Settings' });
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.getAttribute('aria-label'));
    await gear.focus();
    await page.keyboard.press('Enter');
    await expect(gear.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(focused()).resolves.toBe('Account Integrations');
    await page.keyboard.press('ArrowDown');
    await expect(focused()).resolves.toBe('Admins');
    await page.keyboard.press('ArrowDown');
    await expect(focused()).resolves.toBe('Sign out');
    await page.keyboard.press('Escape');
    await expect(focused()).resolves.toBe('Settings');
    await expect(page.getByRole('menu').count()).resolves.toBe(0);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('menu').count()).resolves.toBe(0);
    await gear.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Account Integrations' }).waitFor();
    await context.close();
  });

  it('fits a 390 px wide screen without sideways scrolling', async () => {
    const { context, page } = await openPage(390, 844);
    await screenshot(page, '01-sign-in');
    await signIn(page);
    await goToWebhooks(page, true);
    await screenshot(page, '08-webhooks-list');
    await page.getByRole('button', { name: 'Create Webhook' }).click();
    await page.getByRole('dialog', { name: 'Create Webhook' }).getByLabel('Webhook Name').fill('Phone');
    await page.getByLabel('Webhook URL').fill('https://example.com/phone');
    await page.getByRole('button', { name: 'Next' }).click();
    await screenshot(page, '06-create-events');
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await page.keyboard.press('Escape');
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await context.close();
  });

  it('goes back to the sign-in form, saying why, when the session has ended on the server', async () => {
    const { context, page } = await openPage();
    await signIn(page);
    await server.running.ctx.db.run('DELETE FROM admin_sessions');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'Account Integrations' }).click();
    await page.getByRole('link', { name: /APIs & Webhooks/ }).click(); // its lists are refused: 401
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Your session has ended: sign in again.');
    await signIn(page);
    await context.close();
  });

  it('signs out from the gear menu, back to the sign-in form', async () => {
    const { context, page } = await openPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });
});
