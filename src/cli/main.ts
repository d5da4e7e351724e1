// The `hookline` command: start the service, and manage accounts, API keys and admins; remote.ts adds
// the commands that work on a running hookline through its API (listen, events, webhooks).
import { Command, Option } from 'commander';
import * as accounts from '../accounts/service.js';
import { findAdminByIdOrEmail, removeAdmin, resetPassword } from '../admins/manage.js';
import { createAdmin } from '../admins/service.js';
import { listAdmins as listAdminRows } from '../admins/store.js';
import { listAccounts } from '../accounts/store.js';
import { listApiKeys } from '../accounts/store.js';
import { openContext, start, startRole, type Role } from '../app.js';
import { isoTime } from '../clock.js';
import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { TRIGGERABLE, trigger } from '../scheduling/trigger.js';
import { registerRemoteCommands } from './remote.js';

async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const ctx = await openContext(config, { logger: createLogger('warn') });
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A password given on standard input, without the line break that ends it. */
const readPassword = async () => (await readStdin()).replace(/\r?\n$/, '');

export async function main(argv: string[]): Promise<void> {
  const program = new Command('hookline').description('Self-hostable webhooks, compatible with OnceHub API v2').showHelpAfterError();

  program
    .command('start')
    .description('Start hookline on the configured database (see HOOKLINE_* variables)')
    .addOption(new Option('--role <role>', 'all: API and worker in one process; api: HTTP only; worker: deliveries and timers only (its HTTP: /healthz, /readyz, /metrics)').choices(['all', 'api', 'worker']).default('all'))
    .action(async (opts: { role: Role }) => {
      const config = loadConfig();
      const running = opts.role === 'all' ? await start(config) : await startRole(config, opts.role);
      const first = running.bootstrap;
      if (first?.apiKey) {
        print(`Created account ${first.accountName} (${first.accountId}).`);
        print(`Its API key, shown only this once: ${first.apiKey}`);
      }
      if (first?.setupUrl) print(`Open this link to set up the first admin of the web page (it works once, within 24 hours): ${first.setupUrl}`);
      print(running.url ? `hookline (${opts.role}) is listening on ${running.url}` : `hookline (${opts.role}) is running`);
      const shutdown = () => {
        running.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });

  program
    .command('migrate')
    .description('Apply the database migrations and exit (start applies them too; this is for operators who run them apart)')
    .action(() =>
      withContext(async (ctx) => {
        const done = await ctx.db.all<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
        print(`database schema is up to date: ${done.map((m) => m.name).join(', ')}`);
      }),
    );

  const accountCmd = program.command('accounts').description('Manage accounts');
  accountCmd
    .command('create')
    .description('Create an account and its first API key (printed once)')
    .requiredOption('--name <name>', 'account name, e.g. an admin e-mail address')
    .action((opts: { name: string }) =>
      withContext(async (ctx) => {
        const { account, issued } = await accounts.createAccount(ctx, opts.name);
        print(`account ${account.id} ${account.name}`);
        print(`api key ${issued.key.id}: ${issued.plaintext}`);
      }),
    );
  accountCmd
    .command('list')
    .description('List accounts')
    .action(() =>
      withContext(async (ctx) => {
        for (const a of await listAccounts(ctx.db)) print(`${a.id}\t${a.name}\t${isoTime(a.created_at)}`);
      }),
    );

  const keyCmd = program.command('keys').description('Manage API keys');
  keyCmd
    .command('create')
    .description('Create an API key for an account (printed once)')
    .requiredOption('--account <id>', 'account id (ACC-...)')
    .option('--label <label>', 'what the key is for', 'cli')
    .action((opts: { account: string; label: string }) =>
      withContext(async (ctx) => {
        const issued = await accounts.createApiKey(ctx, opts.account, opts.label);
        print(`api key ${issued.key.id}: ${issued.plaintext}`);
      }),
    );
  keyCmd
    .command('list')
    .description("List an account's API keys (never the keys themselves)")
    .requiredOption('--account <id>', 'account id (ACC-...)')
    .action((opts: { account: string }) =>
      withContext(async (ctx) => {
        for (const k of await listApiKeys(ctx.db, opts.account)) {
          const state = k.revoked_at === null ? 'active' : `revoked ${isoTime(k.revoked_at)}`;
          const used = k.last_used_at === null ? 'never used' : `last used ${isoTime(k.last_used_at)}`;
          print(`${k.id}\t${k.label}\t${k.key_hint}\t${state}\t${used}`);
        }
      }),
    );
  keyCmd
    .command('revoke')
    .description('Revoke an API key at once')
    .argument('<id>', 'key id (KEY-...)')
    .action((id: string) =>
      withContext(async (ctx) => {
        await accounts.revokeApiKey(ctx, id);
        print(`revoked ${id}`);
      }),
    );

  const adminCmd = program.command('admins').description('Manage the people who sign in to the web page');
  adminCmd
    .command('create')
    .description('Create an admin of an account, who signs in with e-mail and password')
    .requiredOption('--account <id>', 'account id (ACC-...)')
    .requiredOption('--email <email>', 'e-mail address to sign in with')
    .requiredOption('--password-stdin', 'read the password from standard input (never from the command line)')
    .action((opts: { account: string; email: string }) =>
      withContext(async (ctx) => {
        const admin = await createAdmin(ctx, opts.account, opts.email, await readPassword());
        print(`admin ${admin.id} ${admin.email} of ${admin.account_id}`);
      }),
    );
  adminCmd
    .command('list')
    .description('List admins: id, e-mail address, account and when each was added')
    .option('--account <id>', 'only the admins of this account (ACC-...)')
    .action((opts: { account?: string }) =>
      withContext(async (ctx) => {
        for (const a of await listAdminRows(ctx.db, opts.account)) print(`${a.id}\t${a.email}\t${a.account_id}\t${isoTime(a.created_at)}`);
      }),
    );
  adminCmd
    .command('remove')
    .description("Remove an admin and end their sessions (not an account's last admin)")
    .argument('<admin>', 'admin id (ADM-...) or e-mail address')
    .action((who: string) =>
      withContext(async (ctx) => {
        const admin = await findAdminByIdOrEmail(ctx.db, who);
        await removeAdmin(ctx, admin.account_id, admin.id);
        print(`removed admin ${admin.id} ${admin.email}`);
      }),
    );
  adminCmd
    .command('reset-password')
    .description("Set an admin's password (read from standard input) and end their sessions")
    .argument('<admin>', 'admin id (ADM-...) or e-mail address')
    .requiredOption('--password-stdin', 'read the new password from standard input (never from the command line)')
    .action((who: string) =>
      withContext(async (ctx) => {
        const admin = await findAdminByIdOrEmail(ctx.db, who);
        await resetPassword(ctx, admin.id, await readPassword());
        print(`password of ${admin.email} changed; their sessions have ended`);
      }),
    );

  program
    .command('trigger')
    .description('Perform the real actions that produce an event type, so its payload reaches your webhooks (a running hookline delivers it)')
    .argument('<type>', `event type: ${TRIGGERABLE.join(', ')}`)
    .option('--account <id>', 'account id (ACC-...); default: the first account')
    .action((type: string, opts: { account?: string }) =>
      withContext(async (ctx) => {
        const accountId = opts.account ?? (await listAccounts(ctx.db))[0]?.id;
        if (!accountId) throw new Error('There is no account yet: start hookline once, or run `hookline accounts create`.');
        const before = await ctx.db.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events');
        const subject = await trigger(ctx, accountId, type);
        const events = await ctx.db.all<{ id: string; type: string }>(
          'SELECT id, type FROM events WHERE account_id = ? AND seq > ? ORDER BY seq',
          [accountId, before?.seq ?? 0],
        );
        for (const e of events) print(`${e.id}\t${e.type}\t${subject.id}`);
      }),
    );

  registerRemoteCommands(program);

  await program.parseAsync(argv);
}
