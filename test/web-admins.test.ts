// Managing admins from the page, in Chromium: invite someone (a one-time link shown to the inviter,
// opened in another browser to choose a password, signed in straight away), add an admin with a
// password, remove one after a confirmation (their session ends), the last admin cannot be removed,
// and change one's own password (the wrong current password is refused on its field).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { EMAIL, PASSWORD, addAdmin, openPage, signIn } from './support/web.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  await addAdmin(server);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const adminsInDb = async () => (await server.running.ctx.db.all<{ email: string }>('SELECT email FROM admins ORDER BY email')).map((a) => a.email);

describe('the Admins page', () => {
  it('invites an admin by a one-time link, adds one with a password, removes one, and keeps the last one', async () => {
    const { context, page } = await openPage(browser, server.url);
    await signIn(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('menuitem', { name: 'Admins' }).click();
    await page.waitForURL('**/account/admins');
    const list = page.getByRole('list', { name: 'Admins list' });
    await list.getByRole('heading', { name: `${EMAIL} (you)` }).waitFor();
    // Alone: Remove is disabled, and the page says why.
    await expect(list.getByRole('button', { name: `Remove ${EMAIL}` }).isDisabled()).resolves.toBe(true);
    await expect(page.locator('#last-admin-hint').textContent()).resolves.toBe("The account's only admin cannot be removed: invite or add another admin first.");

    // Invite: the link is shown once, here; hookline sends no e-mail.
    await page.getByRole('button', { name: 'Invite admin' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite admin' });
    await invite.getByRole('button', { name: 'Create invitation link' }).click();
    await expect(page.locator('#admin-email-error').textContent()).resolves.toBe('Enter an e-mail address, such as name@example.com.');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('admin-email');
    await invite.getByLabel('E-mail address').fill('invited@example.com');
    await invite.getByRole('button', { name: 'Create invitation link' }).click();
    const shown = page.getByRole('dialog', { name: 'Invitation link' });
    const link = await shown.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/invite#[A-Za-z0-9_-]{43}$`));
    await expect(shown.textContent()).resolves.toMatch(/Send this link to invited@example\.com yourself \(hookline sends no e-mail\)/);
    await screenshot(page, '19-invitation-link');
    await shown.getByRole('button', { name: 'Copy & close' }).click();
    await page.getByRole('list', { name: 'Open invitations' }).getByText('invited@example.com').waitFor();

    // The invitee opens the link elsewhere, chooses a password, and is signed in.
    const invitee = await openPage(browser, link);
    await invitee.page.getByText(/Become an admin of admin@example\.com/).waitFor();
    await expect(invitee.page.getByLabel('Email').inputValue()).resolves.toBe('invited@example.com');
    await invitee.page.getByLabel('Password', { exact: true }).fill('invited password 1');
    await invitee.page.getByLabel('Password again').fill('invited password 1');
    await invitee.page.getByRole('button', { name: 'Accept and sign in' }).click();
    await invitee.page.getByRole('heading', { name: 'APIs & Webhooks', level: 1 }).waitFor();
    await invitee.page.getByText('invited@example.com').first().waitFor();
    expect(invitee.page.url()).not.toContain('#'); // the token left the address bar
    // The link works once.
    await invitee.page.goto(link);
    await invitee.page.getByRole('alert').filter({ hasText: /cannot be used: it has expired, was used already, or was withdrawn/ }).waitFor();

    // Add an admin directly, with a password (checked twice).
    await page.getByRole('button', { name: 'Add admin' }).click();
    const add = page.getByRole('dialog', { name: 'Add admin' });
    await add.getByLabel('E-mail address').fill('added@example.com');
    await add.getByLabel('Password', { exact: true }).fill('added password 12');
    await add.getByLabel('Password again').fill('added password 13');
    await add.getByRole('button', { name: 'Add admin' }).click();
    await expect(page.locator('#admin-confirm-error').textContent()).resolves.toBe('The two passwords differ.');
    await add.getByLabel('Password again').fill('added password 12');
    await add.getByRole('button', { name: 'Add admin' }).click();
    await page.getByRole('status').filter({ hasText: 'added@example.com is now an admin: tell them their password.' }).waitFor();
    expect(await adminsInDb()).toEqual(['added@example.com', 'invited@example.com', EMAIL]);
    await page.getByRole('list', { name: 'Open invitations' }).waitFor({ state: 'detached' });
    await screenshot(page, '20-admins', { fullPage: true });

    // Remove the invited admin: asked first; their session ends.
    await list.getByRole('button', { name: 'Remove invited@example.com' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove admin' });
    await confirm.getByRole('button', { name: 'Remove permanently' }).click();
    await page.getByRole('status').filter({ hasText: 'invited@example.com is no longer an admin; their sessions have ended.' }).waitFor();
    expect(await adminsInDb()).toEqual(['added@example.com', EMAIL]);
    await invitee.page.goto(`${server.url}/integrations/apis`);
    await invitee.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await invitee.context.close();
    await context.close();
  });

  it('changes your own password: the wrong current one is refused on its field, and the new one signs in', async () => {
    const { context, page } = await openPage(browser, `${server.url}/account/admins`);
    await signIn(page);
    const form = page.getByRole('region', { name: 'Your password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('a newer long password');
    await form.getByLabel('New password again').fill('a newer long password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#current-password-error').filter({ hasText: /^The current password is not correct\.$/ }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('current-password');
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor();
    expect((await call(server.url, 'POST', '/v2/session', { email: EMAIL, password: PASSWORD })).status).toBe(401);
    expect((await call(server.url, 'POST', '/v2/session', { email: EMAIL, password: 'a newer long password' })).status).toBe(200);
    await context.close();
  });
});
