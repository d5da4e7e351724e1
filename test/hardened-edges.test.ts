// Two hardened edges. A body far over the limit, POSTed by Node's fetch, always gets its 400: the
// server reads and discards the rest before closing (no EPIPE / connection reset). API keys are
// stored so that a copy of the database alone cannot test a guess (HMAC under the secret key) and
// keep a 4-character hint; keys stored before migration 009 are rewrapped at start and keep working.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../src/storage/db.js';
import { readMigrations } from '../src/storage/migrate.js';
import { openPostgres } from '../src/storage/postgres/connection.js';
import { openSqlite } from '../src/storage/sqlite/connection.js';
import { readStored, storedBytes, testDatabase } from './support/database.js';
import { expectApiError } from './support/expect-api.js';
import { call, startServer, tempDir, TEST_API_KEY, type TestServer } from './support/hookline.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
const launch = async (options: Parameters<typeof startServer>[0] = {}) => {
  const s = await startServer(options);
  servers.push(s);
  return s;
};

describe('a body far over the limit', () => {
  it('gets its 400 over Node’s fetch every time, never a reset connection', { timeout: 60_000 }, async () => {
    const server = await launch();
    const huge = JSON.stringify({ name: 'x', url: 'https://example.com/h', events: ['booking'], note: 'y'.repeat(5 * 1024 * 1024) });
    for (let i = 0; i < 25; i++) {
      const res = await server.api('POST', '/v2/webhooks', huge).catch((err: unknown) => {
        throw new Error(`attempt ${i + 1}: ${String(err)} (${String((err as { cause?: unknown }).cause)})`);
      });
      expectApiError(res, 400, { message: /too large/ });
    }
    // The connection it left is usable: the next small request is answered as usual.
    expect((await server.api('GET', '/v2/test')).status).toBe(200);
  });

  it('is read to its end after the 400 is sent: a client still writing it is not cut off', { timeout: 30_000 }, async () => {
    const server = await launch();
    const { port } = new URL(server.url);
    const size = 5 * 1024 * 1024;
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {}); // seen through the promises below
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let answer = '';
    const answered = new Promise<void>((resolve) => socket.on('data', (c: Buffer) => ((answer += c.toString()), answer.includes('\r\n\r\n') && resolve())));
    socket.write(`POST /v2/webhooks HTTP/1.1\r\nHost: x\r\nAPI-Key: ${TEST_API_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    await answered; // the 400 comes first, before any of the body was sent
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    // Then the whole body, in pieces: every write goes through (the server keeps reading, discarding).
    const chunk = Buffer.alloc(64 * 1024, 'y');
    for (let sent = 0; sent < size; sent += chunk.length) {
      await new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve())));
      if (sent % (1024 * 1024) === 0) await new Promise((r) => setTimeout(r, 20));
    }
    // And the connection stays healthy: a second request on it is answered.
    answer = '';
    const second = new Promise<void>((resolve) => socket.on('data', () => answer.includes('\r\n\r\n') && resolve()));
    socket.write(`GET /v2/test HTTP/1.1\r\nHost: x\r\nAPI-Key: ${TEST_API_KEY}\r\n\r\n`);
    await second;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
  });
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('API keys at rest', () => {
  it('stores no hash a guess can be checked against without the secret key, and a 4-character hint', async () => {
    const server = await launch();
    const made = await server.api('POST', '/v2/users', { first_name: 'A', email: 'a@example.com' }); // any call: the key works
    expect(made.status).toBe(200);
    const rows = await readStored<{ key_hash: string; key_hint: string; hash_scheme: string }>(server.env.HOOKLINE_DATABASE!, 'SELECT key_hash, key_hint, hash_scheme FROM api_keys');
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.key_hint).toBe(`…${TEST_API_KEY.slice(-4)}`);
    expect(row!.hash_scheme).toBe('hmac');
    // Neither the key, its SHA-256 (which a guess could be checked against), nor more of it than the hint.
    const bytes = await storedBytes(server.env.HOOKLINE_DATABASE!);
    for (const leak of [TEST_API_KEY, sha256(TEST_API_KEY), TEST_API_KEY.slice(0, 8), TEST_API_KEY.slice(-8)]) expect(bytes.includes(leak)).toBe(false);
    // The stored hash is keyed: recomputed with the secret key it matches, with any other key it does not.
    const secretKey = Buffer.from(fs.readFileSync(server.env.HOOKLINE_SECRET_KEY_FILE!, 'utf8').trim(), 'base64');
    const keyed = (key: Buffer) => createHmac('sha256', Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'hookline api key hash', 32))).update(sha256(TEST_API_KEY)).digest('hex');
    expect(row!.key_hash).toBe(keyed(secretKey));
    expect(row!.key_hash).not.toBe(keyed(Buffer.alloc(32, 7)));
  });

  it('migrates keys stored before: rewrapped at start, hint shortened, and they keep working', async () => {
    const dir = tempDir();
    const database = testDatabase(dir);
    const oldKey = 'hkl_short_bootstrap_key_1';
    // A database as migrations 1 to 8 left it, with a key stored the old way (bare SHA-256, 12-character hint).
    const db: Db = database.startsWith('postgres') ? await openPostgres(database, { poolSize: 2, onIdleError: () => {} }) : openSqlite(database);
    try {
      await db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const m of readMigrations(db.dialect).filter((m) => m.version < 9)) {
        await db.exec(m.sql);
        await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      }
      await db.run("INSERT INTO accounts (id, name, created_at) VALUES ('ACC-OLD0000001', 'old@example.com', 1)");
      await db.run("INSERT INTO api_keys (id, account_id, label, key_hash, key_hint, created_at) VALUES ('KEY-OLD0000001', 'ACC-OLD0000001', 'old', ?, ?, 1)", [
        sha256(oldKey),
        `${oldKey.slice(0, 8)}…${oldKey.slice(-4)}`,
      ]);
    } finally {
      await db.close();
    }
    const server = await launch({ dir, env: { HOOKLINE_DATABASE: database, HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key') } });
    const rows = await readStored<{ key_hash: string; key_hint: string; hash_scheme: string }>(database, "SELECT key_hash, key_hint, hash_scheme FROM api_keys WHERE id = 'KEY-OLD0000001'");
    expect(rows).toEqual([{ key_hash: expect.not.stringMatching(sha256(oldKey)), key_hint: '…ey_1', hash_scheme: 'hmac' }]);
    expect((await storedBytes(database)).includes(sha256(oldKey))).toBe(false);
    const ok = await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': oldKey });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.message).toContain('old@example.com');
    expectApiError(await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': `${oldKey}x` }), 401, { type: 'authentication_error' });
    // A restart finds nothing left to rewrap, and the key still works.
    await server.restart();
    expect((await call(server.url, 'GET', '/v2/test', undefined, { 'API-Key': oldKey })).status).toBe(200);
  });
});
