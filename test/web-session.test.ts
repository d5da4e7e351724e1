// Admins sign in to the web page with e-mail and password: sessions in HTTP-only, SameSite=Strict
// cookies, a CSRF token required on every state-changing request, sign-out ending the session, and
// the CLI creating an admin from a password read on stdin. API keys keep working as before.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { listAccounts } from '../src/accounts/store.js';
import { createAdmin } from '../src/admins/service.js';
import { call, startServer, type TestServer } from './support/hookline.js';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let accountId: string;

beforeAll(async () => {
  server = await startServer();
  accountId = (await listAccounts(server.running.ctx.db))[0]!.id;
  await createAdmin(server.running.ctx, accountId, EMAIL, PASSWORD);
});
afterAll(() => server.stop());

async function signIn(email = EMAIL, password = PASSWORD) {
  const res = await call(server.url, 'POST', '/v2/session', { email, password });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { res, cookie, csrf: res.body?.csrf_token as string };
}

const hook = (name: string) => ({ name, url: 'https://example.com/hook', events: ['booking'] });

describe('signing in', () => {
  it('sets an HTTP-only, SameSite=Strict session cookie and answers who is signed in with the CSRF token', async () => {
    const { res, cookie, csrf } = await signIn('  Admin@Example.com ');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'session', email: EMAIL, account_id: accountId });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^hookline_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toMatch(/Secure/i); // served over plain http in this test
    const me = await call(server.url, 'GET', '/v2/session', undefined, { cookie });
    expect(me.body).toMatchObject({ email: EMAIL, csrf_token: csrf });
  });

  it('refuses a wrong password and an unknown e-mail with the same answer', async () => {
    const wrong = await signIn(EMAIL, 'not the password');
    const unknown = await signIn('nobody@example.com', PASSWORD);
    for (const res of [wrong.res, unknown.res]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ type: 'authentication_error', message: 'Incorrect email or password.' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('stores sessions hashed and passwords as scrypt hashes', async () => {
    const { cookie } = await signIn();
    const token = cookie.split('=')[1]!;
    const db = server.running.ctx.db;
    expect(await db.get('SELECT 1 AS x FROM admin_sessions WHERE token_hash = ?', [token])).toBeUndefined();
    const admin = await db.get<{ password_hash: string }>('SELECT password_hash FROM admins WHERE email = ?', [EMAIL]);
    expect(admin!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(admin!.password_hash).not.toContain(PASSWORD);
  });
});

describe('password guessing and https', () => {
  it('refuses further sign-ins for an address after 5 failures, with Retry-After, even with the right password', async () => {
    const guessed = await startServer();
    try {
      const ctx = guessed.running.ctx;
      const account = (await listAccounts(ctx.db))[0]!.id;
      await createAdmin(ctx, account, 'target@example.com', PASSWORD);
      const attempt = (password: string) => call(guessed.url, 'POST', '/v2/session', { email: 'target@example.com', password });
      for (let i = 0; i < 5; i++) expect((await attempt(`guess number ${i}`)).status).toBe(401);
      const refused = await attempt(PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ type: 'rate_limit_error', message: 'Too many failed sign-ins: try again in 15 minutes.' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
      expect((await call(guessed.url, 'POST', '/v2/session', { email: EMAIL, password: PASSWORD })).status).not.toBe(429);
    } finally {
      await guessed.stop();
    }
  });

  it('marks the cookie Secure when hookline is reached over https (HOOKLINE_PUBLIC_URL)', async () => {
    const behindTls = await startServer({ env: { HOOKLINE_PUBLIC_URL: 'https://hooks.example.com' } });
    try {
      const ctx = behindTls.running.ctx;
      await createAdmin(ctx, (await listAccounts(ctx.db))[0]!.id, EMAIL, PASSWORD);
      const res = await call(behindTls.url, 'POST', '/v2/session', { email: EMAIL, password: PASSWORD });
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await behindTls.stop();
    }
  });
});

describe('a session', () => {
  it('reads the API with the cookie alone, and changes things only with the CSRF header', async () => {
    const { cookie, csrf } = await signIn();
    expect((await call(server.url, 'GET', '/v2/webhooks', undefined, { cookie })).status).toBe(200);
    const noToken = await call(server.url, 'POST', '/v2/webhooks', hook('Without token'), { cookie });
    expect(noToken.status).toBe(401);
    expect(noToken.body.message).toMatch(/x-csrf-token/);
    const wrongToken = await call(server.url, 'POST', '/v2/webhooks', hook('Wrong token'), { cookie, 'x-csrf-token': 'f'.repeat(64) });
    expect(wrongToken.status).toBe(401);
    const created = await call(server.url, 'POST', '/v2/webhooks', hook('With token'), { cookie, 'x-csrf-token': csrf });
    expect(created.status).toBe(200);
    const del = await call(server.url, 'DELETE', `/v2/webhooks/${created.body.id}`, undefined, { cookie });
    expect(del.status).toBe(401);
  });

  it('ends at sign-out: the cookie is cleared and no longer accepted', async () => {
    const { cookie, csrf } = await signIn();
    const out = await call(server.url, 'DELETE', '/v2/session', undefined, { cookie, 'x-csrf-token': csrf });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/hookline_session=;/);
    expect((await call(server.url, 'GET', '/v2/session', undefined, { cookie })).status).toBe(401);
    const after = await call(server.url, 'GET', '/v2/webhooks', undefined, { cookie });
    expect(after.status).toBe(401);
    expect(after.body.type).toBe('authentication_error');
  });

  it('leaves API keys as they were: a request without key or cookie is still refused', async () => {
    expect((await call(server.url, 'GET', '/v2/webhooks')).status).toBe(401);
    expect((await server.api('GET', '/v2/webhooks')).status).toBe(200);
  });
});

describe('API keys, managed by a signed-in admin', () => {
  it('creates a key shown once, lists it by label and last use, and revokes it', async () => {
    const { cookie, csrf } = await signIn();
    const session = { cookie, 'x-csrf-token': csrf };
    const created = await call(server.url, 'POST', '/v2/api-keys', { label: 'CI pipeline' }, session);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'api_key', label: 'CI pipeline', last_used_time: null, revoked_time: null });
    const key = created.body.key as string;
    expect(created.body.hint).toBe(`…${key.slice(-4)}`);
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(200);

    const listed = await call(server.url, 'GET', '/v2/api-keys', undefined, { cookie });
    const entry = listed.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(entry.last_used_time).toMatch(/^\d{4}-/);
    expect(entry).not.toHaveProperty('key');
    expect(listed.text).not.toContain(key);

    const revoked = await call(server.url, 'DELETE', `/v2/api-keys/${created.body.id}`, undefined, session);
    expect(revoked.body).toEqual({ id: created.body.id, revoked: true });
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(401);
  });

  it("refuses API keys themselves, and another account's key answers 404", async () => {
    expect((await server.api('GET', '/v2/api-keys')).status).toBe(401);
    expect((await server.api('POST', '/v2/api-keys', { label: 'minted by a key' })).status).toBe(401);
    const other = await createAccount(server.running.ctx, 'other@example.com');
    const { cookie, csrf } = await signIn();
    const res = await call(server.url, 'DELETE', `/v2/api-keys/${other.issued.key.id}`, undefined, { cookie, 'x-csrf-token': csrf });
    expect(res.status).toBe(404);
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': other.issued.plaintext })).status).toBe(200);
    const blank = await call(server.url, 'POST', '/v2/api-keys', { label: ' -- ' }, { cookie, 'x-csrf-token': csrf });
    expect(blank.body).toMatchObject({ type: 'invalid_request_error', param: 'label' });
  });
});

describe('hookline admins create', () => {
  it('reads the password from stdin, never from the command line', async () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'admins', 'create', '--account', accountId, '--email', 'second@example.com', '--password-stdin'],
      { input: 'another long password\n', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...server.env }, encoding: 'utf8' },
    );
    expect(out).toMatch(/^admin ADM-[A-Z0-9]{10} second@example\.com of ACC-/);
    expect((await signIn('second@example.com', 'another long password')).res.status).toBe(200);
  });
});

describe('the web page', () => {
  it('is served at / with a Content-Security-Policy that allows nothing from elsewhere', async () => {
    const res = await call(server.url, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(res.text).not.toMatch(/https?:\/\//);
  });
});

describe('the rate limit', () => {
  it('does not count the page\'s files: a page load fetches several at once', async () => {
    const limited = await startServer({ env: { HOOKLINE_RATE_LIMIT: '2' } });
    try {
      const page = await call(limited.url, 'GET', '/');
      const assets = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(2);
      const answers = await Promise.all([...assets, ...assets, '/', '/'].map((p) => call(limited.url, 'GET', p)));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    } finally {
      await limited.stop();
    }
  });
});
