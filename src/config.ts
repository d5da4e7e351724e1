// Configuration comes from HOOKLINE_* environment variables only. Each setting is declared once in
// SETTINGS (name, default, parser, description); the README's table lists the same names, and a test
// keeps the two in step. An invalid value stops start-up with a message naming the variable.
import fs from 'node:fs';
import { parseCidrList } from './delivery/ssrf.js';

export interface Config {
  host: string;
  port: number;
  database: string;
  databasePool: number;
  databaseTimeoutMs: number;
  apiKey: string | undefined;
  accountName: string;
  secretKey: string | undefined;
  secretKeyFile: string;
  rateLimitPerSecond: number;
  pageRateLimitPerSecond: number;
  bodyLimitBytes: number;
  logLevel: string;
  publicUrl: string | undefined;
  deliveryTimeoutMs: number;
  deliveryConcurrency: number;
  webhookConcurrency: number;
  ssrfAllow: string;
  trustProxy: string;
  deliveryCaFile: string | undefined;
  retentionDays: number;
  rotationOverlapSeconds: number;
  shutdownGraceMs: number;
  pollIntervalMs: number;
  heartbeatMs: number;
  conversationIdleMinutes: number;
  streamPollMs: number;
  streamHeartbeatMs: number;
  streamConnections: number;
}

type Parser<T> = (raw: string) => T;

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  default: string | undefined;
  parse: Parser<Config[K]>;
  description: string;
}

const text: Parser<string> = (raw) => raw;

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`must be a whole number, got '${raw}'`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

function oneOf(...allowed: string[]): Parser<string> {
  return (raw) => {
    if (!allowed.includes(raw)) throw new Error(`must be one of ${allowed.join(', ')}, got '${raw}'`);
    return raw;
  };
}

function httpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be an absolute http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must be an http(s) URL, got '${raw}'`);
  return raw.replace(/\/+$/, '');
}

function cidrList(raw: string): string {
  parseCidrList(raw);
  return raw;
}

function readableFile(raw: string): string {
  if (!fs.existsSync(raw)) throw new Error(`names no readable file: '${raw}'`);
  return raw;
}

/** API keys travel in a header: visible ASCII without spaces, long enough to be unguessable. */
function apiKey(raw: string): string {
  if (!/^[\x21-\x7e]{16,200}$/.test(raw)) {
    throw new Error('must be 16 to 200 visible ASCII characters with no spaces (e.g. `openssl rand -hex 32`)');
  }
  return raw;
}

function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw) => (raw === '' ? undefined : parse(raw));
}

function setting<K extends keyof Config>(s: Setting<K>): Setting<K> {
  return s;
}

export const SETTINGS = [
  setting({ key: 'host', env: 'HOOKLINE_HOST', default: '127.0.0.1', parse: text, description: 'Address the HTTP server listens on (`0.0.0.0` for all interfaces).' }),
  setting({ key: 'port', env: 'HOOKLINE_PORT', default: '8080', parse: integer(0, 65535), description: 'TCP port of the HTTP server (`0` picks a free one).' }),
  setting({ key: 'database', env: 'HOOKLINE_DATABASE', default: './data/hookline.db', parse: text, description: 'Path of the SQLite database file (its folder is created when missing), or a PostgreSQL URL `postgres://user:password@host:5432/dbname`; add `?schema=name` to keep the tables in that schema (created when missing).' }),
  setting({ key: 'databasePool', env: 'HOOKLINE_DATABASE_POOL', default: '10', parse: integer(1, 1000), description: 'PostgreSQL only: connections opened to the database at most.' }),
  setting({ key: 'databaseTimeoutMs', env: 'HOOKLINE_DATABASE_TIMEOUT_MS', default: '10000', parse: integer(100, 600_000), description: 'PostgreSQL only: how long getting a connection, or the answer to a statement, may take before it fails, in milliseconds (an unreachable server often stays silent rather than refusing; an API request then answers 503). Migrations have no limit.' }),
  setting({ key: 'apiKey', env: 'HOOKLINE_API_KEY', default: undefined, parse: optional(apiKey), description: 'Bootstrap only: the API key of the first account, created when the database has no account. 16 to 200 visible ASCII characters. Unset: a key is generated and printed once.' }),
  setting({ key: 'accountName', env: 'HOOKLINE_ACCOUNT_NAME', default: 'admin@example.com', parse: text, description: 'Bootstrap only: the name of the first account (shown by `GET /v2/test`).' }),
  setting({ key: 'secretKey', env: 'HOOKLINE_SECRET_KEY', default: undefined, parse: optional(text), description: 'Key that encrypts webhook secrets at rest: 32 bytes, base64. Takes precedence over the key file.' }),
  setting({ key: 'secretKeyFile', env: 'HOOKLINE_SECRET_KEY_FILE', default: './data/secret.key', parse: text, description: 'File holding that key; generated (mode 0600) on first start when missing. Keep it apart from database backups.' }),
  setting({ key: 'rateLimitPerSecond', env: 'HOOKLINE_RATE_LIMIT', default: '5', parse: integer(1, 1_000_000), description: 'API requests per second allowed per account (OnceHub: 5); beyond it, 429 `rate_limit_error`.' }),
  setting({ key: 'pageRateLimitPerSecond', env: 'HOOKLINE_PAGE_RATE_LIMIT', default: '60', parse: integer(1, 1_000_000), description: 'Requests per second allowed per signed-in web page session (one view loads several): the page has this budget of its own, apart from the account\'s API budget, so integrations using the API cannot throttle the page (nor the page them).' }),
  setting({ key: 'bodyLimitBytes', env: 'HOOKLINE_BODY_LIMIT', default: '65536', parse: integer(1024, 10_485_760), description: 'Largest accepted request body, in bytes.' }),
  setting({ key: 'logLevel', env: 'HOOKLINE_LOG_LEVEL', default: 'info', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), description: 'Log level of the JSON logs written to standard output (API keys, cookies and secrets never appear in them; tokens in request URLs are written as `[redacted]`).' }),
  setting({ key: 'trustProxy', env: 'HOOKLINE_TRUST_PROXY', default: '', parse: cidrList, description: 'Comma-separated addresses or CIDR ranges of the proxies (load balancers) in front of hookline: a request from one of them is taken to come from the client its `X-Forwarded-For` names, over the protocol and host of `X-Forwarded-Proto` and `X-Forwarded-Host`. Empty: those headers are ignored.' }),
  setting({ key: 'publicUrl', env: 'HOOKLINE_PUBLIC_URL', default: undefined, parse: optional(httpUrl), description: 'Base URL clients and guests reach hookline at: the `Link` headers, and the links in payloads (the guest\'s pages, the .ics download). Unset: `Link` headers take it from the request, payload links use the address hookline listens on.' }),
  setting({ key: 'deliveryTimeoutMs', env: 'HOOKLINE_DELIVERY_TIMEOUT_MS', default: '15000', parse: integer(100, 120_000), description: 'How long a receiver has to answer a delivery attempt (until its response headers, and again at most between body chunks), in milliseconds; connecting has its own limit of the same or 10 s, whichever is less.' }),
  setting({ key: 'deliveryConcurrency', env: 'HOOKLINE_DELIVERY_CONCURRENCY', default: '256', parse: integer(1, 10_000), description: 'Delivery attempts in flight at once, in all.' }),
  setting({ key: 'webhookConcurrency', env: 'HOOKLINE_WEBHOOK_CONCURRENCY', default: '32', parse: integer(1, 10_000), description: 'Delivery attempts in flight at once to any one webhook, so a slow receiver delays only itself.' }),
  setting({ key: 'ssrfAllow', env: 'HOOKLINE_SSRF_ALLOW', default: '', parse: cidrList, description: 'Comma-separated addresses or CIDR ranges that deliveries may reach although they are not public (e.g. `10.1.0.0/16,10.2.0.7`). Empty: public addresses only.' }),
  setting({ key: 'deliveryCaFile', env: 'HOOKLINE_DELIVERY_CA_FILE', default: undefined, parse: optional(readableFile), description: 'PEM file of extra certificate authorities that receivers\' certificates may chain to, besides the system ones.' }),
  setting({ key: 'retentionDays', env: 'HOOKLINE_RETENTION_DAYS', default: '30', parse: integer(1, 3650), description: 'Finished events, their deliveries and attempts older than this many days are deleted.' }),
  setting({ key: 'rotationOverlapSeconds', env: 'HOOKLINE_ROTATION_OVERLAP_SECONDS', default: '86400', parse: integer(0, 30 * 86400), description: 'After a secret rotation, how long the previous secret keeps signing beside the new one.' }),
  setting({ key: 'shutdownGraceMs', env: 'HOOKLINE_SHUTDOWN_GRACE_MS', default: '10000', parse: integer(0, 600_000), description: 'On SIGTERM, how long in-flight delivery attempts may take to finish.' }),
  setting({ key: 'heartbeatMs', env: 'HOOKLINE_HEARTBEAT_MS', default: '5000', parse: integer(100, 60_000), description: 'How often a worker records that it is alive; one silent for 4 times as long is taken for dead and its leased deliveries go back at once.' }),
  setting({ key: 'pollIntervalMs', env: 'HOOKLINE_POLL_INTERVAL_MS', default: '1000', parse: integer(10, 60_000), description: 'Longest wait between two looks for due deliveries (publishing in the same process wakes the worker at once).' }),
  setting({ key: 'conversationIdleMinutes', env: 'HOOKLINE_CONVERSATION_IDLE_MINUTES', default: '10', parse: integer(1, 1440), description: 'A chatbot conversation with no interaction for this many minutes is abandoned (`conversation.abandoned`; OnceHub: 10).' }),
  setting({ key: 'streamPollMs', env: 'HOOKLINE_STREAM_POLL_MS', default: '500', parse: integer(10, 60_000), description: 'How often an open event stream (`GET /v2/events/stream`, what `hookline listen` reads) looks for events that other processes recorded, in milliseconds; events recorded by the process serving it wake it within 50 ms.' }),
  setting({ key: 'streamHeartbeatMs', env: 'HOOKLINE_STREAM_HEARTBEAT_MS', default: '15000', parse: integer(100, 300_000), description: 'How often an open event stream sends a heartbeat (an SSE comment line) so that proxies keep it open, in milliseconds.' }),
  setting({ key: 'streamConnections', env: 'HOOKLINE_STREAM_CONNECTIONS', default: '10', parse: integer(1, 10_000), description: 'Event streams one account may keep open at once on one hookline process; one more is refused with 429.' }),
] as const;

export class ConfigError extends Error {}

/** Reads the configuration from an environment; throws ConfigError listing every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = env[s.env] ?? s.default;
    if (raw === undefined) {
      values[s.key] = undefined;
      continue;
    }
    try {
      values[s.key] = s.parse(raw);
    } catch (err) {
      problems.push(`${s.env} ${(err as Error).message}`);
    }
  }
  const known = new Set<string>(SETTINGS.map((s) => s.env));
  for (const name of Object.keys(env)) {
    if (name.startsWith('HOOKLINE_') && !known.has(name)) problems.push(`${name} is not a hookline setting`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  return values as unknown as Config;
}
