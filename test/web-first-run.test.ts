// First run, as README's two commands do it: `hookline start` on a fresh database prints the API key
// and a one-time link; opening the link in Chromium sets up the first admin and lands signed in on
// APIs & Webhooks. The link works once, its token is in no log line and not in the database, and a
// later start prints no link.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { processEnv, startCli, type StartedCli } from './support/cli.js';
import { storedBytes } from './support/database.js';
import { call, tempDir } from './support/hookline.js';
import { openPage } from './support/web.js';

let browser: Browser;
const started: StartedCli[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
afterAll(() => browser?.close());

const LINK = /^Open this link to set up the first admin of the web page \(it works once, within 24 hours\): (http:\/\/127\.0\.0\.1:\d+\/setup#([A-Za-z0-9_-]{43}))$/m;

describe('first start on a fresh database', () => {
  it('prints a one-time link that sets up the first admin and leads into the page', async () => {
    const dir = tempDir();
    const { HOOKLINE_API_KEY: _none, ...env } = processEnv(dir, { HOOKLINE_LOG_LEVEL: 'trace' });
    const first = await startCli(env);
    started.push(first);
    const key = /Its API key, shown only this once: (hkl_\S+)/.exec(first.output())![1]!;
    const [, link, token] = LINK.exec(first.output())!;
    expect(link!.startsWith(first.url)).toBe(true);

    const { context, page } = await openPage(browser, link!);
    await page.getByRole('heading', { name: 'Set up hookline' }).waitFor();
    await page.getByText(/Choose the e-mail address and password of the first admin of admin@example\.com\./).waitFor();
    await screenshot(page, '00-first-run-setup');
    await page.getByLabel('Email').fill('founder@example.com');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Password again').fill('short');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await expect(page.locator('#link-password-error').textContent()).resolves.toBe('The password must have at least 10 characters.');
    await page.getByLabel('Password', { exact: true }).fill('the founder password');
    await page.getByLabel('Password again').fill('the founder password');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.getByRole('heading', { name: 'APIs & Webhooks', level: 1 }).waitFor();
    await page.getByText('founder@example.com', { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/integrations/apis');
    expect(page.url()).not.toContain(token!);
    // The key printed beside it works, and the page lists it.
    expect((await call(first.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(200);
    await page.getByRole('list', { name: 'API keys list' }).getByText(`…${key.slice(-4)}`).waitFor();

    // Once only.
    const again = await openPage(browser, link!);
    await again.page.getByRole('alert').filter({ hasText: /cannot be used: it has expired, was used already, or was withdrawn/ }).waitFor();
    await again.context.close();
    await context.close();

    expect(await first.stop()).toBe(0);
    const out = first.output();
    expect(out).toMatch(/"msg":"request completed"/); // request logs were written, at trace level
    expect(out.split(token!).length - 1).toBe(1); // only on the line meant for the operator
    expect((await storedBytes(env.HOOKLINE_DATABASE!)).includes(token!)).toBe(false);

    const second = await startCli(env);
    started.push(second);
    expect(second.output()).not.toMatch(/set up the first admin/);
  }, 120_000); // two starts of the command from source
});
