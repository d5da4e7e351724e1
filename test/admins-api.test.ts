// Managing the people who sign in (hookline extension), over HTTP and on the command line: listing,
// adding and removing admins (never the last one, even when two remove each other at once),
// invitations as one-time links stored only as hashes, changing one's own password, and
// `hookline admins list | remove | reset-password`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../src/accounts/store.js';
import { listAdmins, removeAdmin } from '../src/admins/manage.js';
import { createAdmin } from '../src/admins/service.js';
import { dataEnv, runCli } from './support/cli.js';
import { storedBytes } from './support/database.js';
import { expectApiError } from './support/expect-api.js';
import { call, startServer, type TestServer } from './support/hookline.js';

const PASSWORD = 'a long enough password';
let server: TestServer;
let accountId: string;

beforeAll(async () => {
  server = await startServer();
  accountId = (await listAccounts(server.running.ctx.db))[0]!.id;
});
afterAll(() => server.stop());

interface Signed {
  cookie: string;
  headers: Record<string, string>;
}

async function signIn(email: string, password = PASSWORD): Promise<Signed> {
  const res = await call(server.url, 'POST', '/v2/session', { email, password });
  expect(res.status, res.text).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, headers: { cookie, 'x-csrf-token': res.body.csrf_token as string } };
}

const as = (who: Signed, method: string, path: string, body?: unknown) => call(server.url, method, path, body, who.headers);

/** A fresh account with one admin, signed in: tests that count admins do not see each other's. */
async function freshAccount(tag: string): Promise<{ account: string; admin: Signed; email: string }> {
  const { createAccount } = await import('../src/accounts/service.js');
  const { account } = await createAccount(server.running.ctx, `${tag}@example.com`);
  const email = `owner-${tag}@example.com`;
  await createAdmin(server.running.ctx, account.id, email, PASSWORD);
  return { account: account.id, admin: await signIn(email), email };
}

describe('admins over HTTP', () => {
  it('lists, adds and removes admins; the removed one is signed out; the last one stays', async () => {
    const { admin, email } = await freshAccount('team');
    const listed = await as(admin, 'GET', '/v2/admins');
    expect(listed.body.data).toEqual([expect.objectContaining({ object: 'admin', email, is_you: true })]);

    const added = await as(admin, 'POST', '/v2/admins', { email: ' Second@Example.com ', password: PASSWORD });
    expect(added.body).toMatchObject({ object: 'admin', email: 'second@example.com', is_you: false });
    expectApiError(await as(admin, 'POST', '/v2/admins', { email: 'second@example.com', password: PASSWORD }), 409, { param: 'email' });
    expectApiError(await as(admin, 'POST', '/v2/admins', { email: 'third@example.com', password: 'short' }), 400, { param: 'password' });
    const second = await signIn('second@example.com');

    expect((await as(admin, 'DELETE', `/v2/admins/${added.body.id}`)).body).toEqual({ id: added.body.id, deleted: true });
    expect((await call(server.url, 'GET', '/v2/webhooks', undefined, { cookie: second.cookie })).status).toBe(401);

    const me = listed.body.data[0].id as string;
    const last = await as(admin, 'DELETE', `/v2/admins/${me}`);
    expectApiError(last, 409, { message: `'${email}' is the account's last admin: add or invite another admin before removing this one.`, param: 'id' });
    expect((await as(admin, 'GET', '/v2/admins')).body.data).toHaveLength(1);
  });

  it('keeps one admin when two are removed at the same moment (the account row is locked first)', async () => {
    const ctx = server.running.ctx;
    for (let round = 0; round < 5; round++) {
      const { account } = await freshAccount(`duel${round}`);
      const other = await createAdmin(ctx, account, `duel${round}-second@example.com`, PASSWORD);
      const [first] = await listAdmins(ctx, account);
      const results = await Promise.allSettled([removeAdmin(ctx, account, first!.id), removeAdmin(ctx, account, other.id)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(/last admin/);
      expect(await listAdmins(ctx, account)).toHaveLength(1);
    }
  });

  it("refuses API keys and another account's admins", async () => {
    expectApiError(await server.api('GET', '/v2/admins'), 401, { type: 'authentication_error' });
    expectApiError(await server.api('POST', '/v2/admin-invites', { email: 'x@example.com' }), 401, { type: 'authentication_error' });
    const { admin } = await freshAccount('nosy');
    const { admin: stranger } = await freshAccount('stranger');
    const strangerId = (await as(stranger, 'GET', '/v2/admins')).body.data[0].id as string;
    expectApiError(await as(admin, 'DELETE', `/v2/admins/${strangerId}`), 404, { param: 'id' });
  });
});

describe('invitations', () => {
  it('makes a one-time link, stored only as a hash, that makes the invitee an admin, signed in', async () => {
    const { admin } = await freshAccount('inviting');
    const made = await as(admin, 'POST', '/v2/admin-invites', { email: 'Invitee@Example.com' });
    expect(made.status, made.text).toBe(200);
    expect(made.body).toMatchObject({ object: 'admin_invite', email: 'invitee@example.com' });
    expect(made.body.url).toMatch(new RegExp(`^${server.url}/invite#[A-Za-z0-9_-]{43}$`));
    const token = (made.body.url as string).split('#')[1]!;
    expect(Date.parse(made.body.expires_time) - Date.parse(made.body.creation_time)).toBe(7 * 86_400_000);
    expect((await storedBytes(server.env.HOOKLINE_DATABASE!)).includes(token)).toBe(false);
    const open = await as(admin, 'GET', '/v2/admin-invites');
    expect(open.body.data).toEqual([expect.objectContaining({ id: made.body.id, email: 'invitee@example.com' })]);
    expect(open.text).not.toContain(token);

    const looked = await call(server.url, 'POST', '/v2/admin-invites/lookup', { token });
    expect(looked.body).toMatchObject({ object: 'admin_link', kind: 'invite', email: 'invitee@example.com', account_name: 'inviting@example.com' });
    expectApiError(await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: 'short' }), 400, { param: 'password' });
    const accepted = await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: PASSWORD });
    expect(accepted.body).toMatchObject({ object: 'session', email: 'invitee@example.com' });
    const cookie = (accepted.headers.get('set-cookie') ?? '').split(';')[0]!;
    const theirList = await call(server.url, 'GET', '/v2/admins', undefined, { cookie });
    expect(theirList.body.data.map((a: { email: string }) => a.email).sort()).toEqual(['invitee@example.com', 'owner-inviting@example.com']);

    for (const again of [
      await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: PASSWORD }),
      await call(server.url, 'POST', '/v2/admin-invites/lookup', { token }),
    ]) {
      expectApiError(again, 400, { message: /cannot be used: it has expired, was used already, or was withdrawn/, param: 'token' });
    }
    expect((await as(admin, 'GET', '/v2/admin-invites')).body.data).toEqual([]);
  });

  it('stops working once withdrawn or expired, and refuses an address that is an admin already', async () => {
    const { admin, email } = await freshAccount('withdrawing');
    expectApiError(await as(admin, 'POST', '/v2/admin-invites', { email }), 409, { param: 'email' });
    const withdrawn = await as(admin, 'POST', '/v2/admin-invites', { email: 'withdrawn@example.com' });
    expect((await as(admin, 'DELETE', `/v2/admin-invites/${withdrawn.body.id}`)).body).toEqual({ id: withdrawn.body.id, deleted: true });
    const expired = await as(admin, 'POST', '/v2/admin-invites', { email: 'expired@example.com' });
    await server.running.ctx.db.run('UPDATE admin_invites SET expires_at = ? WHERE id = ?', [Date.now() - 1, expired.body.id]);
    for (const made of [withdrawn, expired]) {
      const token = (made.body.url as string).split('#')[1]!;
      expectApiError(await call(server.url, 'POST', '/v2/admin-invites/accept', { token, password: PASSWORD }), 400, { param: 'token' });
    }
    expectApiError(await call(server.url, 'POST', '/v2/admin-invites/accept', { token: 'made-up', password: PASSWORD }), 400, { param: 'token' });
  });
});

describe('changing one\'s own password', () => {
  it('needs the current password, and ends the other sessions but not this one', async () => {
    const { admin, email } = await freshAccount('changing');
    const elsewhere = await signIn(email);
    expectApiError(await as(admin, 'POST', '/v2/session/password', { current_password: 'not it at all', new_password: 'a brand new password' }), 400, {
      message: 'The current password is not correct.',
      param: 'current_password',
    });
    expectApiError(await as(admin, 'POST', '/v2/session/password', { current_password: PASSWORD, new_password: 'short' }), 400, { param: 'new_password' });
    expect((await as(admin, 'POST', '/v2/session/password', { current_password: PASSWORD, new_password: 'a brand new password' })).body).toEqual({
      object: 'password_change',
      changed: true,
    });
    expect((await call(server.url, 'GET', '/v2/session', undefined, { cookie: elsewhere.cookie })).status).toBe(401);
    expect((await call(server.url, 'GET', '/v2/session', undefined, { cookie: admin.cookie })).status).toBe(200);
    expect((await call(server.url, 'POST', '/v2/session', { email, password: PASSWORD })).status).toBe(401);
    await signIn(email, 'a brand new password');
  });
});

describe('hookline admins list | remove | reset-password', () => {
  it('lists admins, refuses to remove the last one, removes another, and resets a password from stdin', async () => {
    const env = dataEnv(server.env);
    await createAdmin(server.running.ctx, accountId, 'cli-one@example.com', PASSWORD);
    const list = await runCli(['admins', 'list', '--account', accountId], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ADM-[A-Z0-9]{10}\tcli-one@example\\.com\t${accountId}\t\\d{4}-`, 'm'));

    const refused = await runCli(['admins', 'remove', 'cli-one@example.com'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/'cli-one@example\.com' is the account's last admin/);

    await createAdmin(server.running.ctx, accountId, 'cli-two@example.com', PASSWORD);
    const session = await signIn('cli-two@example.com');
    const reset = await runCli(['admins', 'reset-password', 'cli-two@example.com', '--password-stdin'], env, 20_000, 'reset by the operator\n');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).not.toContain('reset by the operator');
    expect((await call(server.url, 'GET', '/v2/session', undefined, { cookie: session.cookie })).status).toBe(401);
    await signIn('cli-two@example.com', 'reset by the operator');

    const removed = await runCli(['admins', 'remove', 'cli-one@example.com'], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await runCli(['admins', 'list', '--account', accountId], env)).stdout).not.toContain('cli-one@example.com');
  }, 120_000); // six runs of the command from source
});
