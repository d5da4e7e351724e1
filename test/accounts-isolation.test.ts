// Accounts and API keys: one account never sees or changes another's webhooks; keys are managed
// with the CLI while the server runs (create, list, revoke); raw keys are never stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, dataEnv, parseIssuedKey, runCli } from './support/cli.js';
import { storedBytes } from './support/database.js';
import { expectApiError } from './support/expect-api.js';
import { TEST_API_KEY, call, startServer, type TestServer } from './support/hookline.js';

let server: TestServer;
let b: { accountId: string; keyId: string; key: string };
let aWebhook: { id: string; name: string; secret: string };

const asB = (method: string, path: string, body?: unknown) => server.api(method, path, body, { 'API-Key': b.key });

beforeAll(async () => {
  server = await startServer();
  const res = await server.api('POST', '/v2/webhooks', { name: 'Shared name', url: 'https://a.example.com/h', events: ['booking'] });
  expect(res.status).toBe(200);
  aWebhook = res.body;
  b = await createAccount(server.env, 'b@example.com');
});
afterAll(() => server.stop());

describe('two accounts', () => {
  it('GET /v2/test names the account of each key', async () => {
    const a = await server.api('GET', '/v2/test');
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ message: 'The API key is valid for account: admin@example.com' });
    const bRes = await asB('GET', '/v2/test');
    expect(bRes.status).toBe(200);
    expect(bRes.body).toEqual({ message: 'The API key is valid for account: b@example.com' });
  });

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['GET', '/secret'],
  ])("gives account B a 404 for %s on A's webhook%s, exactly as for an unknown id", async (method, suffix) => {
    const res = await asB(method, `/v2/webhooks/${aWebhook.id}${suffix}`, method === 'PATCH' ? { name: 'hijacked', url: 'https://evil.example/h' } : undefined);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ type: 'invalid_request_error', message: `No such webhook: '${aWebhook.id}'`, param: 'id' });
    expect(res.text).not.toContain(aWebhook.secret);
  });

  it("leaves A's webhook intact after B's attempts", async () => {
    for (const method of ['PATCH', 'DELETE']) {
      await asB(method, `/v2/webhooks/${aWebhook.id}`, method === 'PATCH' ? { name: 'hijacked' } : undefined);
    }
    const res = await server.api('GET', `/v2/webhooks/${aWebhook.id}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Shared name');
    expect(res.body.url).toBe('https://a.example.com/h');
  });

  it('lets both accounts use the same name, and lists each only its own', async () => {
    const mine = await asB('POST', '/v2/webhooks', { name: 'shared NAME', url: 'https://b.example.com/h', events: ['conversation'] });
    expect(mine.status, mine.text).toBe(200);
    const bList = await asB('GET', '/v2/webhooks?limit=100');
    expect(bList.body.data.map((w: { id: string }) => w.id)).toEqual([mine.body.id]);
    const aList = await server.api('GET', '/v2/webhooks?limit=100');
    const aIds = aList.body.data.map((w: { id: string }) => w.id);
    expect(aIds).toContain(aWebhook.id);
    expect(aIds).not.toContain(mine.body.id);
    expect((await server.api('GET', `/v2/webhooks/${mine.body.id}`)).status).toBe(404);
  });

  it("treats another account's webhook id as an unknown cursor", async () => {
    expectApiError(await asB('GET', `/v2/webhooks?after=${aWebhook.id}`), 400, { param: 'after', message: `No such webhook: '${aWebhook.id}'` });
  });
});

describe('authentication', () => {
  const INVALID = { type: 'authentication_error', message: 'Invalid API key.' };

  it.each([
    ['no API-Key header', {}],
    ['an empty API-Key', { 'API-Key': '' }],
    ['a wrong key', { 'API-Key': 'hkl_not_a_real_key' }],
    ['a key differing in case', { 'API-Key': TEST_API_KEY.toUpperCase() }],
    ['the key as a Bearer token', { Authorization: `Bearer ${TEST_API_KEY}` }],
    ['an overlong key', { 'API-Key': 'k'.repeat(5000) }],
  ])('answers 401 for %s', async (_label, headers) => {
    for (const path of ['/v2/test', '/v2/webhooks', `/v2/webhooks/${aWebhook.id}`]) {
      const res = await call(server.url, 'GET', path, undefined, headers as Record<string, string>);
      expectApiError(res, 401, { type: 'authentication_error' });
      expect(res.body).toEqual(INVALID);
    }
  });

  it('does not create a webhook for an unauthenticated POST', async () => {
    const res = await call(server.url, 'POST', '/v2/webhooks', { name: 'sneaky', url: 'https://x.example/h', events: ['booking'] });
    expect(res.status).toBe(401);
    const list = await server.api('GET', '/v2/webhooks?limit=100');
    expect(list.body.data.map((w: { name: string }) => w.name)).not.toContain('sneaky');
  });
});

describe('API keys managed with the CLI', () => {
  it('keys create --account issues a second working key for that account', async () => {
    const res = await runCli(['keys', 'create', '--account', b.accountId, '--label', 'zapier'], dataEnv(server.env));
    expect(res.code, res.stderr).toBe(0);
    const second = parseIssuedKey(res.stdout);
    expect(second.key).not.toBe(b.key);
    const test = await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': second.key });
    expect(test.body).toEqual({ message: 'The API key is valid for account: b@example.com' });
  });

  it('keys create for an unknown account fails and prints no key', async () => {
    const res = await runCli(['keys', 'create', '--account', 'ACC-NOPENOPE00'], dataEnv(server.env));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('ACC-NOPENOPE00');
    expect(res.stdout).not.toMatch(/hkl_/);
  });

  it('keys revoke makes that key fail at once, and only that key', async () => {
    const issued = parseIssuedKey((await runCli(['keys', 'create', '--account', b.accountId, '--label', 'doomed'], dataEnv(server.env))).stdout);
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': issued.key })).status).toBe(200);
    const revoke = await runCli(['keys', 'revoke', issued.keyId], dataEnv(server.env));
    expect(revoke.code, revoke.stderr).toBe(0);
    const res = await call(server.url, 'GET', '/v2/webhooks', undefined, { 'API-Key': issued.key });
    expectApiError(res, 401, { type: 'authentication_error', param: null });
    expect(res.body.message).toBe('Expired API key. The key has been revoked by the account owner.');
    expect((await asB('GET', '/v2/test')).status).toBe(200);
    const again = await runCli(['keys', 'revoke', issued.keyId], dataEnv(server.env));
    expect(again.code).not.toBe(0);
  });

  it('keys list shows label, hint, state and use, never the key itself', async () => {
    await asB('GET', '/v2/test'); // marks the default key as used
    const issued = parseIssuedKey((await runCli(['keys', 'create', '--account', b.accountId, '--label', 'listed'], dataEnv(server.env))).stdout);
    await runCli(['keys', 'revoke', issued.keyId], dataEnv(server.env));
    const res = await runCli(['keys', 'list', '--account', b.accountId], dataEnv(server.env));
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    const row = (keyId: string) => lines.find((l) => l.startsWith(`${keyId}\t`))?.split('\t');
    const defaultRow = row(b.keyId);
    const listedRow = row(issued.keyId);
    expect(defaultRow?.[1]).toBe('default');
    expect(defaultRow?.[3]).toBe('active');
    expect(defaultRow?.[4]).toMatch(/^last used \d{4}-/);
    expect(listedRow?.[1]).toBe('listed');
    expect(listedRow?.[3]).toMatch(/^revoked \d{4}-/);
    for (const [r, key] of [[defaultRow, b.key], [listedRow, issued.key]] as const) {
      expect(r?.[2]).toBe(`…${key.slice(-4)}`);
    }
    expect(res.stdout).not.toContain(b.key);
    expect(res.stdout).not.toContain(issued.key);
    expect(res.stdout).not.toContain(issued.key.slice(8, -4));
  });

  it('stores no raw API key in the database', async () => {
    const extra = parseIssuedKey((await runCli(['keys', 'create', '--account', b.accountId], dataEnv(server.env))).stdout);
    await asB('GET', '/v2/test');
    const bytes = await storedBytes(server.env.HOOKLINE_DATABASE!);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes('b@example.com')).toBe(true); // the search itself works on these bytes
    for (const key of [TEST_API_KEY, b.key, extra.key]) {
      expect(bytes.includes(key), `raw key found in the database`).toBe(false);
      expect(bytes.includes(key.slice(4, -4)), `key body found in the database`).toBe(false);
    }
  });
});
