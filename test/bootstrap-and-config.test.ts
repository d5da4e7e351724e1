// `hookline start` as a real process: the first account and its key (generated and printed once,
// or taken from HOOKLINE_API_KEY), keys kept out of the logs, and configuration checks at start-up.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError, SETTINGS } from '../src/config.js';
import { runCli, startCli, type StartedCli } from './support/cli.js';
import { databaseExists, testDatabase } from './support/database.js';
import { call, tempDir } from './support/hookline.js';

const started: StartedCli[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function baseEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOOKLINE_DATABASE: testDatabase(dir),
    HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
    HOOKLINE_PORT: '0',
    HOOKLINE_HOST: '127.0.0.1',
    ...extra,
  };
}

async function start(env: Record<string, string>): Promise<StartedCli> {
  const s = await startCli(env);
  started.push(s);
  return s;
}

const PRINTED_KEY = /Its API key, shown only this once: (hkl_\S+)/g;
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('bootstrap without HOOKLINE_API_KEY', () => {
  it('prints a generated key once; the key works, stays out of the logs, and is not printed again', async () => {
    const dir = tempDir();
    const env = baseEnv(dir, { HOOKLINE_LOG_LEVEL: 'trace', HOOKLINE_ACCOUNT_NAME: 'ops@example.com' });
    const first = await start(env);
    const printed = [...first.output().matchAll(PRINTED_KEY)].map((m) => m[1]!);
    expect(printed).toHaveLength(1);
    const key = printed[0]!;
    expect(first.output()).toMatch(/Created account ops@example\.com \(ACC-[A-Z0-9]{10}\)\./);

    const ok = await call(first.url, 'GET', '/v2/test', undefined, { 'API-Key': key });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'The API key is valid for account: ops@example.com' });
    const created = await call(first.url, 'POST', '/v2/webhooks', { name: 'x', url: 'https://example.com', events: ['booking'] }, { 'API-Key': key });
    expect(created.status).toBe(200);
    await call(first.url, 'GET', `/v2/webhooks/${created.body.id}/secret`, undefined, { 'API-Key': key });
    await call(first.url, 'GET', '/v2/test', undefined, { 'API-Key': `${key}x` }); // a 401
    expect(await first.stop()).toBe(0);

    const out = first.output();
    // One line per request, once answered, with what it asked and how it went.
    const requestLines = out.split('\n').filter((line) => line.includes('"reqId"') && line.includes('/v2/webhooks/'));
    expect(requestLines).toHaveLength(1);
    expect(JSON.parse(requestLines[0]!)).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: `/v2/webhooks/${created.body.id}/secret` },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(out).not.toMatch(/incoming request/);
    expect(occurrences(out, key)).toBe(1); // only the line meant for the operator
    expect(out).not.toContain(created.body.secret);

    const second = await start(env);
    expect(second.output()).not.toMatch(/shown only this once/);
    expect(second.output()).not.toContain(key);
    expect((await call(second.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(200);
  });
});

describe('bootstrap with HOOKLINE_API_KEY', () => {
  it('uses the given key without printing it, and ignores a different one on later starts', async () => {
    const dir = tempDir();
    const given = 'hkl_given_by_the_operator_0123456789abcdef';
    const first = await start(baseEnv(dir, { HOOKLINE_API_KEY: given, HOOKLINE_LOG_LEVEL: 'debug' }));
    const res = await call(first.url, 'GET', '/v2/test', undefined, { 'API-Key': given });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'The API key is valid for account: admin@example.com' });
    expect(await first.stop()).toBe(0);
    expect(first.output()).not.toContain(given);
    expect(first.output()).not.toMatch(/shown only this once/);

    const other = 'hkl_a_different_key_later_0123456789abcdef';
    const second = await start(baseEnv(dir, { HOOKLINE_API_KEY: other }));
    expect((await call(second.url, 'GET', '/v2/test', undefined, { 'API-Key': given })).status).toBe(200);
    expect((await call(second.url, 'GET', '/v2/test', undefined, { 'API-Key': other })).status).toBe(401);
  });
});

describe('invalid configuration', () => {
  it.each([
    ['HOOKLINE_PORT', 'abc'],
    ['HOOKLINE_PORT', '70000'],
    ['HOOKLINE_LOG_LEVEL', 'loud'],
    ['HOOKLINE_TYPO', '1'],
    ['HOOKLINE_RATE_LIMIT', '0'],
    ['HOOKLINE_BODY_LIMIT', '12'],
    ['HOOKLINE_PUBLIC_URL', 'ftp://example.com'],
  ])('start exits non-zero naming %s=%s, before touching the data folder or the database', async (name, value) => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const env = baseEnv(data);
    const res = await runCli(['start'], { ...env, [name]: value });
    expect(res.code).not.toBe(0);
    expect(res.code).not.toBeNull();
    expect(res.stderr).toContain(name);
    expect(res.stdout).not.toMatch(/listening/);
    expect(fs.existsSync(data)).toBe(false);
    expect(await databaseExists(env.HOOKLINE_DATABASE!)).toBe(false);
  });

  it('start names every invalid variable at once', async () => {
    const res = await runCli(['start'], { ...baseEnv(tempDir()), HOOKLINE_PORT: 'abc', HOOKLINE_LOG_LEVEL: 'loud', HOOKLINE_TYPO: '1' });
    expect(res.code).not.toBe(0);
    for (const name of ['HOOKLINE_PORT', 'HOOKLINE_LOG_LEVEL', 'HOOKLINE_TYPO']) expect(res.stderr).toContain(name);
  });
});

describe('unusable bootstrap keys', () => {
  // A key over 200 characters, or with surrounding spaces (which HTTP strips from header values),
  // could never authenticate: start must refuse it.
  it.each([['k'.repeat(201)], ['  hkl_spaced_key_0123456789  ']])('either accepts %j as a working key or refuses to start', async (key) => {
    const dir = tempDir();
    let s: StartedCli;
    try {
      s = await start(baseEnv(dir, { HOOKLINE_API_KEY: key }));
    } catch (err) {
      expect(String(err)).toContain('HOOKLINE_API_KEY');
      return;
    }
    expect((await call(s.url, 'GET', '/v2/test', undefined, { 'API-Key': key })).status).toBe(200);
  });
});

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      database: './data/hookline.db',
      apiKey: undefined,
      accountName: 'admin@example.com',
      secretKey: undefined,
      secretKeyFile: './data/secret.key',
      rateLimitPerSecond: 5,
      bodyLimitBytes: 65536,
      logLevel: 'info',
      publicUrl: undefined,
    });
  });

  it('gives every setting a value or an explicit absence, and only from HOOKLINE_* names', () => {
    const config = loadConfig({ PATH: '/bin', HOME: '/root' });
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^HOOKLINE_[A-Z_]+$/);
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.key in config).toBe(true);
      if (s.default !== undefined) expect(config[s.key]).not.toBeUndefined();
    }
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
  });

  it('parses values and treats empty optional ones as unset', () => {
    const config = loadConfig({
      HOOKLINE_PORT: '0',
      HOOKLINE_RATE_LIMIT: '10000',
      HOOKLINE_API_KEY: '',
      HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/base//',
    });
    expect(config.port).toBe(0);
    expect(config.rateLimitPerSecond).toBe(10000);
    expect(config.apiKey).toBeUndefined();
    expect(config.publicUrl).toBe('https://hooks.example.com/base');
  });

  it('throws a ConfigError listing each invalid variable', () => {
    let error: unknown;
    try {
      loadConfig({ HOOKLINE_PORT: '-1', HOOKLINE_BODY_LIMIT: 'big', HOOKLINE_NOPE: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['HOOKLINE_PORT', 'HOOKLINE_BODY_LIMIT', 'HOOKLINE_NOPE']) expect(message).toContain(name);
    expect(message).not.toContain('HOOKLINE_HOST');
  });
});
