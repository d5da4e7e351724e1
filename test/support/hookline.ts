// Starts a real hookline server on a free port over a fresh database (a SQLite file, or a PostgreSQL
// schema in the `postgres` project), and talks to it over HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAccount } from '../../src/accounts/service.js';
import { openContext, start, type Running } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { Logger } from '../../src/logger.js';
import { publishEvent } from '../../src/events/publish.js';
import { sampleData } from '../../src/events/samples.js';
import { createWebhook } from '../../src/webhooks/service.js';
import { testDatabase } from './database.js';
import { assertValidPayloads } from './payload-check.js';

export const TEST_API_KEY = 'hkl_test_key_of_the_first_account_0123456789';

export interface TestServer {
  url: string;
  dir: string;
  running: Running;
  env: Record<string, string>;
  /** Calls the API with the first account's key unless headers say otherwise. */
  api(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export function tempDir(prefix = 'hookline-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts hookline on the database of `dir` (a new folder when not given): start again with the same
 * folder, or restart(), to find the same data. PostgreSQL schemas are dropped at the end of the run.
 */
export async function startServer(options: { env?: Record<string, string>; clock?: Clock; dir?: string; logger?: Logger } = {}): Promise<TestServer> {
  const dir = options.dir ?? tempDir();
  const env: Record<string, string> = {
    HOOKLINE_DATABASE: testDatabase(dir),
    HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
    HOOKLINE_PORT: '0',
    HOOKLINE_API_KEY: TEST_API_KEY,
    HOOKLINE_RATE_LIMIT: '10000',
    HOOKLINE_LOG_LEVEL: 'silent',
    ...options.env,
  };
  const launch = () => start(loadConfig(env), { ...(options.clock && { clock: options.clock }), ...(options.logger && { logger: options.logger }) });
  let running = await launch();
  const server: TestServer = {
    get url() {
      return running.url;
    },
    get running() {
      return running;
    },
    dir,
    env,
    api: (method, urlPath, body, headers = {}) => call(running.url, method, urlPath, body, { 'API-Key': TEST_API_KEY, ...headers }),
    restart: async () => {
      await running.stop();
      running = await launch();
    },
    stop: async () => {
      // Every booking and conversation event this server recorded must match the payload schemas.
      const bodies = await running.ctx.db.all<{ body: string }>('SELECT body FROM events').catch(() => []);
      await running.stop();
      assertValidPayloads(bodies.map((e) => e.body));
    },
  };
  return server;
}

export async function call(
  base: string,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${urlPath}`, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A hookline context alone (no server, no worker) on a fresh database: for tests of one part. Close its db after. */
export async function openTestContext(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<AppContext> {
  const dir = tempDir();
  const config = loadConfig({
    HOOKLINE_DATABASE: testDatabase(dir),
    HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
    HOOKLINE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  return openContext(config, options.clock ? { clock: options.clock } : {});
}

/** One account, one webhook (at an address never reached) subscribed to bookings, and `events` events published to it: that many pending deliveries. */
export async function seedPending(ctx: AppContext, events: number): Promise<{ accountId: string; webhookId: string }> {
  const { account } = await createAccount(ctx, 'seeded');
  const webhook = await createWebhook(ctx, account.id, { name: 'w', url: 'https://receiver.example/h', events: ['booking'] });
  for (let i = 0; i < events; i++) await publishEvent(ctx, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', ctx.clock.now()) });
  return { accountId: account.id, webhookId: webhook.id };
}
