// Webhook secrets are encrypted at rest under a key kept outside the database: the database never
// holds a secret, a wrong key stops start-up, and the right key (file or variable) reads them back.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStored, storedBytes } from './support/database.js';
import { startServer, tempDir, type TestServer } from './support/hookline.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function launch(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

async function createWebhook(server: TestServer, name: string) {
  const res = await server.api('POST', '/v2/webhooks', { name, url: 'https://example.com/h', events: ['booking'] });
  expect(res.status).toBe(200);
  return res.body as { id: string; secret: string };
}

function sealedSecrets(server: TestServer) {
  return readStored<{ id: string; secret_enc: string }>(server.env.HOOKLINE_DATABASE!, 'SELECT id, secret_enc FROM webhooks ORDER BY seq');
}

const newKey = () => randomBytes(32).toString('base64');

describe('secrets at rest', () => {
  it('keeps webhook secrets out of everything the database stores', async () => {
    const server = await launch();
    const a = await createWebhook(server, 'first');
    const b = await createWebhook(server, 'second');
    const bytes = await storedBytes(server.env.HOOKLINE_DATABASE!);
    expect(bytes.includes(a.id)).toBe(true); // the rows are in these bytes
    for (const { secret } of [a, b]) {
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(secret.toUpperCase())).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'hex'))).toBe(false);
      expect(bytes.includes(Buffer.from(secret).toString('base64').slice(0, 40))).toBe(false);
    }
  });

  it('stores a sealed value per webhook that holds neither the secret nor another row', async () => {
    const server = await launch();
    const a = await createWebhook(server, 'one');
    const b = await createWebhook(server, 'two');
    const rows = await sealedSecrets(server);
    expect(rows.map((r) => r.id)).toEqual([a.id, b.id]);
    for (const [row, hook] of [[rows[0]!, a], [rows[1]!, b]] as const) {
      expect(row.secret_enc).toBeTypeOf('string');
      expect(row.secret_enc.length).toBeGreaterThan(32);
      expect(row.secret_enc).not.toContain(hook.secret);
      expect(row.secret_enc).not.toContain(Buffer.from(hook.secret).toString('base64url').slice(0, 20));
    }
    expect(rows[0]!.secret_enc).not.toBe(rows[1]!.secret_enc);
  });

  it('creates the key file with owner-only permissions on first start', async () => {
    const server = await launch();
    const file = server.env.HOOKLINE_SECRET_KEY_FILE!;
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
  });
});

describe('restarts', () => {
  it('keeps webhooks and secrets across server.restart()', async () => {
    const server = await launch();
    const a = await createWebhook(server, 'survivor');
    const listBefore = await server.api('GET', '/v2/webhooks');
    await server.restart();
    expect((await server.api('GET', '/v2/webhooks')).body).toEqual(listBefore.body);
    expect((await server.api('GET', `/v2/webhooks/${a.id}/secret`)).body.secret).toBe(a.secret);
  });

  it('refuses to start with a different HOOKLINE_SECRET_KEY, then starts again with the original key file', async () => {
    const dir = tempDir();
    const first = await startServer({ dir });
    const a = await createWebhook(first, 'keyed');
    await first.stop();

    await expect(startServer({ dir, env: { HOOKLINE_SECRET_KEY: newKey() } })).rejects.toThrow(/secret key/i);
    await expect(startServer({ dir, env: { HOOKLINE_SECRET_KEY: 'dG9vIHNob3J0' } })).rejects.toThrow(/HOOKLINE_SECRET_KEY must hold 32 bytes/);

    const again = await launch({ dir });
    expect((await again.api('GET', `/v2/webhooks/${a.id}`)).status).toBe(200);
    expect((await again.api('GET', `/v2/webhooks/${a.id}/secret`)).body.secret).toBe(a.secret);
  });

  it('refuses to start with a different key file', async () => {
    const dir = tempDir();
    const first = await startServer({ dir });
    await createWebhook(first, 'filed');
    await first.stop();
    const otherFile = path.join(tempDir(), 'other.key');
    fs.writeFileSync(otherFile, `${newKey()}\n`);
    await expect(startServer({ dir, env: { HOOKLINE_SECRET_KEY_FILE: otherFile } })).rejects.toThrow(/secret key/i);
  });

  it('uses HOOKLINE_SECRET_KEY instead of the file, and reads the secrets back with it', async () => {
    const dir = tempDir();
    const key = newKey();
    const first = await startServer({ dir, env: { HOOKLINE_SECRET_KEY: key } });
    const a = await createWebhook(first, 'env keyed');
    await first.stop();
    expect(fs.existsSync(path.join(dir, 'secret.key'))).toBe(false);

    // Without the variable, a fresh key file would be generated: it is not the database's key.
    await expect(startServer({ dir })).rejects.toThrow(/secret key/i);
    const again = await launch({ dir, env: { HOOKLINE_SECRET_KEY: key } });
    expect((await again.api('GET', `/v2/webhooks/${a.id}/secret`)).body.secret).toBe(a.secret);
  });
});
