// The database port: the only surface the features use. SQL is plain text with `?` placeholders;
// each backend (one folder per database) implements this shape. Values are strings, numbers
// (times are integer milliseconds since the epoch) and null.
export type SqlValue = string | number | bigint | null;

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Whether a query can lock the rows it reads (`FOR UPDATE`, `SKIP LOCKED`). PostgreSQL runs
   * transactions side by side and needs them; SQLite has no such clause and no need of it, since
   * a transaction there holds the whole database for writing from its start.
   */
  readonly rowLocks: boolean;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn inside one transaction: all its writes commit together or not at all, and the promise
   * settles once they have. (On SQLite, transactions begun in the same event-loop turn share one
   * COMMIT, each in its own savepoint: fn's answer may wait for the others of its turn to run.)
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs fn once the transaction this is called in has committed, never if it rolls back; called
   * outside a transaction, right after the current task. For telling others about committed rows
   * (a worker told before the commit could look for them and not see them yet).
   */
  afterCommit(fn: () => void): void;
  close(): Promise<void>;
}

/** Thrown for a unique-constraint violation, whatever the backend. */
export class UniqueViolation extends Error {
  constructor(readonly constraint: string, cause: unknown) {
    super(`unique constraint violated: ${constraint}`, { cause });
  }
}

const unavailable = Symbol('databaseUnavailable');

/** Marks an error as the database being out of reach (a backend's call): the work may succeed when tried again. */
export function markUnavailable<E>(err: E): E {
  if (err !== null && typeof err === 'object') (err as { [unavailable]?: true })[unavailable] = true;
  return err;
}

/** Whether the database was out of reach (lost or refused connection, no answer in time), whatever the backend. */
export function isUnavailable(err: unknown): boolean {
  return err !== null && typeof err === 'object' && (err as { [unavailable]?: true })[unavailable] === true;
}

/**
 * The answer to `query`, or an error once `ms` pass without one: for a caller that must answer in
 * time itself (a readiness probe, a metrics scrape), since a database out of reach often stays silent.
 */
export async function answerWithin<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the database gave no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([query, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A table of one JSON array parameter's elements, each in a column named `value` (read with `value->>'key'`). */
export function jsonRows(db: Db): string {
  return db.dialect === 'postgres' ? 'json_array_elements(CAST(? AS json))' : 'json_each(?)';
}

/**
 * On PostgreSQL, ` AND column = ANY(ARRAY(subquery))`: tells the planner which few values of an
 * indexed column a statement joined to a JSON batch needs. It takes a JSON function for 100 rows
 * whatever it holds, and so joined a batch of 5 to a hash of the whole table, read in full each
 * time (2 ms at 12,000 deliveries, growing with the table); an array it looks up by index. SQLite
 * looks the batch's rows up by index already (and planned worse with the extra condition): nothing.
 */
export function alsoByIndex(db: Db, column: string, subquery: string): string {
  return db.dialect === 'postgres' ? ` AND ${column} = ANY(ARRAY(${subquery}))` : '';
}

/**
 * ` FOR NO KEY UPDATE` where rows can be locked, to end a SELECT whose rows decide what a transaction
 * changes: a second transaction selecting them so waits until the first ends, then reads them as
 * it left them. (It is the weakest lock two transactions cannot share; rows that refer to the
 * locked ones can still be added.) SQLite needs nothing: its transactions take turns already.
 */
export function lockForUpdate(db: Db, ofTable?: string): string {
  if (!db.rowLocks) return '';
  return ofTable === undefined ? ' FOR NO KEY UPDATE' : ` FOR NO KEY UPDATE OF ${ofTable}`;
}

/**
 * ` FOR UPDATE SKIP LOCKED` where rows can be locked, to end the SELECT of a claim: rows another
 * transaction's claim holds are passed over instead of waited for, so workers claiming side by
 * side each take different rows. SQLite needs nothing: one transaction at a time writes.
 */
export function skipLocked(db: Db): string {
  return db.rowLocks ? ' FOR UPDATE SKIP LOCKED' : '';
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
