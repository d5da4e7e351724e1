// Configuration comes from HOOKLINE_* environment variables only. Each setting is declared once in
// SETTINGS (name, default, parser, description); the README's table lists the same names, and a test
// keeps the two in step. An invalid value stops start-up with a message naming the variable.
import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  database: string;
  apiKey: string | undefined;
  accountName: string;
  secretKey: string | undefined;
  secretKeyFile: string;
  rateLimitPerSecond: number;
  bodyLimitBytes: number;
  logLevel: string;
  publicUrl: string | undefined;
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

function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw) => (raw === '' ? undefined : parse(raw));
}

function setting<K extends keyof Config>(s: Setting<K>): Setting<K> {
  return s;
}

export const SETTINGS = [
  setting({ key: 'host', env: 'HOOKLINE_HOST', default: '127.0.0.1', parse: text, description: 'Address the HTTP server listens on (`0.0.0.0` for all interfaces).' }),
  setting({ key: 'port', env: 'HOOKLINE_PORT', default: '8080', parse: integer(0, 65535), description: 'TCP port of the HTTP server (`0` picks a free one).' }),
  setting({ key: 'database', env: 'HOOKLINE_DATABASE', default: './data/hookline.db', parse: text, description: 'Path of the SQLite database file; its folder is created when missing.' }),
  setting({ key: 'apiKey', env: 'HOOKLINE_API_KEY', default: undefined, parse: optional(text), description: 'Bootstrap only: the API key of the first account, created when the database has no account. Unset: a key is generated and printed once.' }),
  setting({ key: 'accountName', env: 'HOOKLINE_ACCOUNT_NAME', default: 'admin@example.com', parse: text, description: 'Bootstrap only: the name of the first account (shown by `GET /v2/test`).' }),
  setting({ key: 'secretKey', env: 'HOOKLINE_SECRET_KEY', default: undefined, parse: optional(text), description: 'Key that encrypts webhook secrets at rest: 32 bytes, base64. Takes precedence over the key file.' }),
  setting({ key: 'secretKeyFile', env: 'HOOKLINE_SECRET_KEY_FILE', default: './data/secret.key', parse: text, description: 'File holding that key; generated (mode 0600) on first start when missing. Keep it apart from database backups.' }),
  setting({ key: 'rateLimitPerSecond', env: 'HOOKLINE_RATE_LIMIT', default: '5', parse: integer(1, 1_000_000), description: 'API requests per second allowed per account (OnceHub: 5); beyond it, 429 `rate_limit_error`.' }),
  setting({ key: 'bodyLimitBytes', env: 'HOOKLINE_BODY_LIMIT', default: '65536', parse: integer(1024, 10_485_760), description: 'Largest accepted request body, in bytes.' }),
  setting({ key: 'logLevel', env: 'HOOKLINE_LOG_LEVEL', default: 'info', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), description: 'Log level of the JSON logs written to standard output.' }),
  setting({ key: 'publicUrl', env: 'HOOKLINE_PUBLIC_URL', default: undefined, parse: optional(httpUrl), description: 'Base URL clients reach hookline at, used in `Link` headers. Unset: taken from the request.' }),
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

/** The folder that holds the database file (and, by default, the secret key file). */
export function dataDirOf(config: Config): string {
  return path.dirname(path.resolve(config.database));
}
