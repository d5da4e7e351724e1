// PostgreSQL backend of the Db port, on a node-postgres pool.
// - The features write SQL with `?` placeholders; they become $1..$n here, once per SQL text.
// - BIGINT (times in milliseconds, `seq`, COUNT) comes back as a number rather than pg's default
//   string, through a type parser given to this pool's connections only.
// - A `schema` parameter on the URL (`postgres://host/db?schema=name`) keeps hookline's tables in
//   that schema, created when missing: several installations, or tests, can share one database.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, SqlValue } from '../db.js';
import { markUnavailable, UniqueViolation } from '../db.js';

export interface PostgresOptions {
  /** Connections the pool opens at most. */
  poolSize: number;
  /** An idle connection failed (a server restart, say): the pool drops it and opens another when needed. */
  onIdleError(err: Error): void;
  /**
   * How long getting a connection, or the answer to a statement, may take before it fails (unset:
   * no limit). A server that cannot be reached often does not refuse but stays silent: without it,
   * everything waiting on the database would wait as long as the outage. Scripts (exec) have none.
   */
  timeoutMs?: number;
}

const INT8_OID = 20;
const UNIQUE_VIOLATION = '23505';
const DUPLICATE_SCHEMA = '42P06';
/** Distinct SQL texts whose translation is kept; IN lists of every length would otherwise grow it without end. */
const TRANSLATIONS_KEPT = 1_000;
/** Statements with at most this many parameters are prepared and kept on each connection (a booking insert and an event publish take 18). */
const PREPARED_MAX_PARAMS = 24;

export async function openPostgres(url: string, options: PostgresOptions): Promise<Db> {
  const { connectionString, schema } = splitSchema(url);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    // An idle connection to a server gone silent is found dead (once the system's keep-alive probes
    // go unanswered) and replaced, instead of failing the next statement given to it.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'hookline',
    types: { getTypeParser: typeParser },
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  pool.on('error', options.onIdleError);
  try {
    if (schema !== undefined) await createSchema(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }

  /** The answer's time limit, given to each statement (pg's QueryConfig type does not list it). */
  const timeout = (options.timeoutMs === undefined ? {} : { query_timeout: options.timeoutMs }) as Partial<pg.QueryConfig>;

  const translations = new Map<string, { text: string; name: string | undefined }>();
  const positional = (sql: string): { text: string; name: string | undefined } => {
    let translated = translations.get(sql);
    if (translated === undefined) {
      let n = 0;
      // Quoted literals are copied as they are: a `?` inside one is text, not a placeholder.
      const text = sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++n}` : match));
      // A statement with few parameters is prepared once per connection (by a name derived from its
      // text) and then only bound and run: the server parses and plans it once, not every time.
      // Long IN lists and multi-row inserts come in many lengths and are not kept.
      const name = n <= PREPARED_MAX_PARAMS ? `hl_${createHash('sha1').update(text).digest('hex').slice(0, 20)}` : undefined;
      translated = { text, name };
      if (translations.size >= TRANSLATIONS_KEPT) translations.clear();
      translations.set(sql, translated);
    }
    return translated;
  };

  /** The four statement methods, on the pool (any free connection) or on one transaction's connection. */
  const statementsOn = (target: pg.Pool | pg.PoolClient): Pick<Db, 'all' | 'get' | 'run' | 'exec'> => {
    const query = async (sql: string, params: readonly SqlValue[] = []) => {
      try {
        const { text, name } = positional(sql);
        return await target.query({ text, values: params as SqlValue[], ...(name !== undefined && { name }), ...timeout });
      } catch (err) {
        throw translate(err);
      }
    };
    return {
      all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows as T[],
      get: async <T>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows[0] as T | undefined,
      run: async (sql, params) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
      // Without values pg uses the simple query protocol, which takes several statements at once.
      exec: async (sql) => {
        try {
          await target.query(sql);
        } catch (err) {
          throw translate(err);
        }
      },
    };
  };

  /** One try of a transaction; its error says whether the server surely rolled it back (see withRetries). */
  const transactionOnce = async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    const client = await pool.connect().catch((err: unknown) => {
      throw markNotCommitted(translate(err));
    });
    // A connection that fails mid-transaction, or cannot roll back, is closed instead of going back to the pool.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    const onCommit: (() => void)[] = [];
    const tx: Db = {
      dialect: 'postgres',
      rowLocks: true,
      ...statementsOn(client),
      transaction: (inner) => inner(tx),
      afterCommit: (hook) => void onCommit.push(hook),
      close: async () => {},
    };
    let committing = false;
    try {
      await client.query({ text: 'BEGIN', ...timeout });
      const result = await fn(tx);
      committing = true;
      await client.query({ text: 'COMMIT', ...timeout });
      for (const hook of onCommit) queueMicrotask(hook);
      return result;
    } catch (err) {
      // A statement left unanswered holds the connection: closing it is what rolls back then.
      if (isTimeout(err)) broken = err as Error;
      else await client.query({ text: 'ROLLBACK', ...timeout }).catch(onError);
      throw committing ? translate(err) : markNotCommitted(translate(err));
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };

  return {
    dialect: 'postgres',
    rowLocks: true,
    ...statementsOn(pool),
    transaction: <T>(fn: (tx: Db) => Promise<T>): Promise<T> => withRetries(() => transactionOnce(fn)),
    afterCommit: (hook) => queueMicrotask(hook),
    close: () => pool.end(),
  };
}

/** Takes the `schema` parameter off the URL: it is hookline's, not a connection setting pg knows. */
export function splitSchema(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: url, schema };
  // It goes into search_path and CREATE SCHEMA unquoted: only a plain lowercase identifier is safe there.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`HOOKLINE_DATABASE: the schema must be a lowercase identifier (letters, digits, _), got '${schema}'`);
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    // Two processes starting together can both find it missing; the second one's error means it exists.
    const code = (err as { code?: string }).code;
    if (code !== UNIQUE_VIOLATION && code !== DUPLICATE_SCHEMA) throw err;
  }
}

/** BIGINT columns hold times in milliseconds, sequence numbers and counts: all exact as JS numbers. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number exactly`);
  return n;
}

const typeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'];

function translate(err: unknown): unknown {
  if (err instanceof pg.DatabaseError && err.code === UNIQUE_VIOLATION) return new UniqueViolation(err.constraint ?? 'unknown', err);
  return isConnectionError(err) ? markUnavailable(err) : err;
}

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
/** Tries of a transaction the server rolled back for a conflict with another one (serialization, deadlock). */
const CONFLICT_TRIES = 5;
/** Tries of a transaction that lost its connection before COMMIT (a server restart, a failover). */
const CONNECTION_TRIES = 2;

/** Set on an error raised before COMMIT was sent: the transaction surely did not commit. */
const notCommitted = Symbol('notCommitted');

function markNotCommitted(err: unknown): unknown {
  if (err !== null && typeof err === 'object') (err as { [notCommitted]?: true })[notCommitted] = true;
  return err;
}

/** A connection lost or refused, or the server going away (admin shutdown, crash, starting up). */
function isConnectionError(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  if (code !== undefined && /^(08|57P0[123])/.test(code)) return true;
  if (code !== undefined && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  return isTimeout(err) || /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message ?? '');
}

/** No answer in the time allowed: getting a connection, or a statement (PostgresOptions.timeoutMs). */
function isTimeout(err: unknown): boolean {
  return /^(Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/.test((err as { message?: string })?.message ?? '');
}

/**
 * Runs a transaction again when the server rolled it back for a conflict (up to CONFLICT_TRIES),
 * or when it lost its connection before COMMIT (once more, on a fresh connection). A transaction
 * whose COMMIT got no answer is never run again: it may have committed.
 */
async function withRetries<T>(once: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (err) {
      const code = (err as { code?: string }).code;
      const conflict = code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
      // Not after a timeout: the server is likely out of reach, and the statement may yet run there.
      const lost = (err as { [notCommitted]?: true })[notCommitted] === true && isConnectionError(err) && !isTimeout(err);
      if (!((conflict && attempt < CONFLICT_TRIES) || (lost && attempt < CONNECTION_TRIES))) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
