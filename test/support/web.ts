// The account page in Chromium for the browser tests: a server with an admin, a page signed in,
// and the ways the product page goes (gear → Account Integrations → APIs & Webhooks).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listAccounts } from '../../src/accounts/store.js';
import { createAdmin } from '../../src/admins/service.js';
import type { TestServer } from './hookline.js';

export const EMAIL = 'owner@example.com';
export const PASSWORD = 'a long enough password';

/** Adds the admin the tests sign in as, to the server's first account. */
export async function addAdmin(server: TestServer, email = EMAIL, password = PASSWORD): Promise<void> {
  const accountId = (await listAccounts(server.running.ctx.db))[0]!.id;
  await createAdmin(server.running.ctx, accountId, email, password);
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Messages of alert()/confirm() pop-ups, which the page must never show. */
  dialogs: string[];
}

export async function openPage(browser: Browser, url: string, options: { width?: number; height?: number; clipboard?: boolean } = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  if (options.clipboard !== false) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  // A wait that cannot end fails naming what it waited for, well before the test's own time limit.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { context, page, dialogs };
}

export async function signIn(page: Page, email = EMAIL, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Settings' }).waitFor();
}

/** Gear icon → Account Integrations → APIs & Webhooks tile. */
export async function goToWebhooks(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('menuitem', { name: 'Account Integrations' }).click();
  await page.getByRole('link', { name: /APIs & Webhooks/ }).click();
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
}

/** A webhook's entry in the Webhooks list. */
export const row = (page: Page, name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });

/** Opens a webhook's page from the list by its name. */
export async function openWebhook(page: Page, name: string): Promise<void> {
  await row(page, name).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** Whether nothing on the page is wider than the window (no sideways scrolling). */
export const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
