// Assembles a running hookline: context (database, secrets, clock, logger), migrations, the first
// account, and the HTTP server. Returns a handle with the server's URL and stop().
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { bootstrap, upgradeKeyHashes } from './accounts/service.js';
import { createSetupLink } from './admins/invites.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { KEY_CHECK, loadSecretKey, secretBox } from './crypto/secretbox.js';
import { createHttpClient } from './delivery/http-client.js';
import { startDispatcher } from './delivery/dispatcher.js';
import { startHeartbeat } from './delivery/heartbeat.js';
import { newId } from './ids.js';
import { startRetention } from './delivery/retention.js';
import { buildProbeServer, buildServer } from './http/server.js';
import { createMetrics } from './metrics/metrics.js';
import { createNotifier } from './notifier.js';
import { completeBooking } from './scheduling/bookings.js';
import { abandonConversation } from './scheduling/conversations.js';
import { startTimers, type TimerRunner } from './timers/timers.js';
import { createLogger, type Logger } from './logger.js';
import type { Db } from './storage/db.js';
import type { Dispatcher } from './delivery/dispatcher.js';
import { migrate } from './storage/migrate.js';
import { openPostgres } from './storage/postgres/connection.js';
import { openSqlite } from './storage/sqlite/connection.js';
import { startListening, startTelling, type Wakeups } from './storage/postgres/wakeups.js';

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  /** The process's role: the `role` label of its metrics (default all). */
  role?: Role;
}

/** Opens the database, applies migrations and checks that the secret key is the database's one. */
export async function openContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase(config, logger);
  try {
    const applied = await migrate(db, clock.now());
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    const secrets = secretBox(loadSecretKey(config.secretKey, config.secretKeyFile));
    await checkSecretKey(db, secrets);
    const rewrapped = await upgradeKeyHashes({ db, secrets });
    if (rewrapped > 0) logger.info({ rewrapped }, 'API key hashes now keyed with the secret key');
    const fallbackUrl = `http://${config.host}:${config.port}`;
    const metrics = createMetrics(options.role ?? 'all', { db, clock, logger });
    return { config, db, clock, logger, secrets, notifier: createNotifier(), metrics, publicUrl: () => config.publicUrl ?? fallbackUrl };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** HOOKLINE_DATABASE is a PostgreSQL URL or, by default, the path of a SQLite file. */
function openDatabase(config: Config, logger: Logger): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(config.database)) {
    return openPostgres(config.database, {
      poolSize: config.databasePool,
      timeoutMs: config.databaseTimeoutMs,
      onIdleError: (err) => logger.warn({ err }, 'an idle database connection failed; it will be replaced'),
    });
  }
  return Promise.resolve(openSqlite(config.database));
}

async function checkSecretKey(db: Db, secrets: AppContext['secrets']): Promise<void> {
  // The first process to start records the check value; any starting beside it keeps that one.
  await db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [
    KEY_CHECK.metaKey,
    secrets.seal(KEY_CHECK.plaintext, KEY_CHECK.boundTo),
  ]);
  const row = (await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [KEY_CHECK.metaKey]))!;
  try {
    secrets.open(row.value, KEY_CHECK.boundTo);
  } catch {
    throw new Error(
      'The secret key (HOOKLINE_SECRET_KEY or HOOKLINE_SECRET_KEY_FILE) is not the one this database was created with: webhook secrets cannot be read.',
    );
  }
}

export interface Running {
  ctx: AppContext;
  dispatcher: Dispatcher;
  timers: TimerRunner;
  url: string;
  /** Set when start created the first account: its generated key (unless HOOKLINE_API_KEY gave one) and the link that sets up its first admin, shown once. */
  bootstrap?: { accountId: string; accountName: string; apiKey?: string; setupUrl?: string };
  stop(): Promise<void>;
}

type HttpClient = ReturnType<typeof createHttpClient>;

const noWakeups: Wakeups = { stop: async () => {} };

/** The worker's parts: delivery dispatcher, durable timers and retention. */
async function runWorker(ctx: AppContext, http: HttpClient) {
  const { config } = ctx;
  const workerId = newId('WRK');
  let heartbeat: Awaited<ReturnType<typeof startHeartbeat>> | undefined;
  const dispatcher = await startDispatcher(ctx, {
    aliveUntil: () => heartbeat?.aliveUntil() ?? Number.POSITIVE_INFINITY,
    confirmAlive: async () => heartbeat?.beat(),
    lease: workerId,
    http,
    concurrency: config.deliveryConcurrency,
    perWebhookConcurrency: config.webhookConcurrency,
    timeoutMs: config.deliveryTimeoutMs,
    pollIntervalMs: config.pollIntervalMs,
    soleSender: ctx.db.dialect === 'sqlite',
  });
  heartbeat = await startHeartbeat(ctx, { workerId, intervalMs: config.heartbeatMs, onTakenForDead: () => dispatcher.forgetQueued() });
  const retention = startRetention(ctx, config.retentionDays * 86_400_000);
  // On PostgreSQL, API processes send this worker wake-ups for its share of the webhooks.
  const wakeups = ctx.db.dialect === 'postgres' ? startListening(ctx, { workerId }) : noWakeups;
  const timers = startTimers(ctx, {
    'booking.completed': (tx, bookingId) => completeBooking(ctx, tx, bookingId),
    'conversation.abandoned': (tx, conversationId) => abandonConversation(ctx, tx, conversationId),
  });
  return {
    workerId,
    dispatcher,
    timers,
    async stop() {
      retention.stop();
      await wakeups.stop();
      await timers.stop();
      await dispatcher.stop(config.shutdownGraceMs);
      await heartbeat!.stop();
    },
  };
}

/** The API's part: the HTTP server (JSON API, web page, health). */
async function runApi(ctx: AppContext, http: HttpClient) {
  const { config } = ctx;
  const server = await buildServer(ctx, { http });
  const url = await listen(ctx, server);
  if (config.publicUrl === undefined) ctx.publicUrl = () => url; // the port is known only now when it was 0
  ctx.logger.info({ url }, 'hookline listening');
  return { url, stop: () => server.close() };
}

/** Listens on HOOKLINE_HOST and HOOKLINE_PORT; resolves with the URL that reaches the server. */
async function listen(ctx: AppContext, server: FastifyInstance): Promise<string> {
  const { config } = ctx;
  await server.listen({ host: config.host, port: config.port });
  const { port } = server.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** A worker in a process of its own: its parts, and an HTTP server of /healthz, /readyz and /metrics only. */
async function runWorkerProcess(ctx: AppContext, http: HttpClient) {
  const server = buildProbeServer(ctx);
  const url = await listen(ctx, server);
  const worker = await runWorker(ctx, http).catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  ctx.logger.info({ url, worker: worker.workerId }, 'hookline worker listening (health checks and metrics only)');
  return {
    url,
    async stop() {
      await worker.stop(); // health and metrics answer while attempts in flight finish
      await server.close();
    },
  };
}

function httpClientFor(config: Config): HttpClient {
  return createHttpClient({ timeoutMs: config.deliveryTimeoutMs, allowCidrs: config.ssrfAllow, caFile: config.deliveryCaFile });
}

/** Everything in one process: the default, and what a single machine on SQLite runs. */
export async function start(config: Config, options: ContextOptions = {}): Promise<Running> {
  const ctx = await openContext(config, options);
  const created = await bootstrap(ctx);
  const http = httpClientFor(config);
  const worker = await runWorker(ctx, http);
  const api = await runApi(ctx, http);
  let stopped: Promise<void> | undefined;
  return {
    ctx,
    dispatcher: worker.dispatcher,
    timers: worker.timers,
    url: api.url,
    ...(created && { bootstrap: await firstRun(ctx, created) }),
    stop: () =>
      (stopped ??= (async () => {
        await api.stop();
        await worker.stop();
        await http.close();
        await ctx.db.close();
      })()),
  };
}

/**
 * What first start tells the operator: the first account, its generated key, and a one-time link
 * (made once the server listens, so it names the address it listens on) that sets up its first admin.
 */
async function firstRun(ctx: AppContext, created: NonNullable<Awaited<ReturnType<typeof bootstrap>>>): Promise<NonNullable<Running['bootstrap']>> {
  const link = await createSetupLink(ctx, created.account.id);
  return {
    accountId: created.account.id,
    accountName: created.account.name,
    ...(created.generatedKey !== undefined && { apiKey: created.generatedKey }),
    setupUrl: `${ctx.publicUrl()}${link.path}`,
  };
}

export type Role = 'all' | 'api' | 'worker';

/**
 * One role of a split deployment: `api` serves HTTP only, `worker` delivers and fires timers only
 * (several workers may share a PostgreSQL database; on SQLite run one). On PostgreSQL, workers are
 * woken by LISTEN/NOTIFY; on SQLite, and whenever a notification is lost, by polling (HOOKLINE_POLL_INTERVAL_MS).
 */
export async function startRole(config: Config, role: Exclude<Role, 'all'>): Promise<{ url?: string; bootstrap?: Running['bootstrap']; stop(): Promise<void> }> {
  const ctx = await openContext(config, { role });
  const http = httpClientFor(config);
  const created = role === 'api' ? await bootstrap(ctx) : undefined;
  // An API process tells the workers (on PostgreSQL) what it publishes; a worker listens (runWorker).
  const wakeups = role === 'api' && ctx.db.dialect === 'postgres' ? startTelling(ctx) : noWakeups;
  const part = role === 'api' ? await runApi(ctx, http) : await runWorkerProcess(ctx, http);
  let stopped: Promise<void> | undefined;
  return {
    ...('url' in part && { url: part.url }),
    ...(created && { bootstrap: await firstRun(ctx, created) }),
    stop: () =>
      (stopped ??= (async () => {
        await part.stop();
        await wakeups.stop();
        await http.close();
        await ctx.db.close();
      })()),
  };
}
