// The database a test runs on: a SQLite file in the test's folder, or, in the `postgres` project
// (HOOKLINE_TEST_DB=postgres), a schema of the PostgreSQL at 127.0.0.1:5432 named after that
// folder. Also a look at the stored data from outside hookline, for tests that search it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';

export type TestDialect = 'sqlite' | 'postgres';

export const TEST_DIALECT: TestDialect = process.env.HOOKLINE_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** The database the `postgres` project puts its schemas in. */
export const TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Every schema of a run starts with `hl_<run>_`, so the run's global teardown finds them all. */
const schemaPrefix = (run: string) => `hl_${run}_`;

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's id, from test/support/postgres-setup.ts. */
    postgresRun: string;
  }
}

/** HOOKLINE_DATABASE for a test's data folder: the same folder always names the same database. */
export function testDatabase(dir: string): string {
  if (TEST_DIALECT === 'sqlite') return path.join(dir, 'hookline.db');
  const schema = schemaPrefix(inject('postgresRun')) + createHash('sha256').update(dir).digest('hex').slice(0, 16);
  return `${TEST_POSTGRES_URL}?schema=${schema}`;
}

function schemaOf(database: string): string {
  const schema = new URL(database).searchParams.get('schema');
  if (!schema) throw new Error(`no schema in ${database}`);
  return schema;
}

/** A connection outside hookline's own code, on the schema when one is given. */
export async function connectPostgres(schema?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, ...(schema !== undefined && { options: `-c search_path=${schema}` }) });
  await client.connect();
  return client;
}

async function withPostgres<T>(schema: string | undefined, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPostgres(schema);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether the database exists yet: the SQLite file, or the PostgreSQL schema. */
export async function databaseExists(database: string): Promise<boolean> {
  if (TEST_DIALECT === 'sqlite') return fs.existsSync(database);
  const schema = schemaOf(database);
  return withPostgres(undefined, async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1);
}

/** Rows read straight from the stored data, outside hookline, in a read-only connection. */
export async function readStored<T>(database: string, sql: string): Promise<T[]> {
  if (TEST_DIALECT === 'sqlite') {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  return withPostgres(schemaOf(database), async (c) => {
    await c.query('SET default_transaction_read_only = on');
    return (await c.query(sql)).rows as T[];
  });
}

/**
 * Everything the database holds, to search for what must never be stored: the SQLite file and
 * its write-ahead log as bytes; in PostgreSQL, whose files belong to the server, every value of
 * every row of every table of the schema, as text.
 */
export async function storedBytes(database: string): Promise<Buffer> {
  if (TEST_DIALECT === 'sqlite') {
    return Buffer.concat([database, `${database}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
  }
  const schema = schemaOf(database);
  return withPostgres(schema, async (c) => {
    const columns = await c.query<{ table_name: string; columns: string[] }>(
      `SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns
         FROM information_schema.columns WHERE table_schema = $1 GROUP BY table_name`,
      [schema],
    );
    const values: string[] = [];
    for (const t of columns.rows) {
      const rows = await c.query<string[]>({ text: `SELECT ${t.columns.map((col) => `"${col}"::text`).join(', ')} FROM "${t.table_name}"`, rowMode: 'array' });
      for (const row of rows.rows) values.push(...row.filter((v) => v !== null));
    }
    return Buffer.from(values.join('\n'));
  });
}
