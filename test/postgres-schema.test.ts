// The PostgreSQL migrations build the same schema as the SQLite ones: the same tables and columns
// (in order, with their kind of type, nullability and default), keys, foreign keys and indexes.
// Each catalogue is read back from a freshly migrated database and put in one neutral shape.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/storage/db.js';
import { migrate } from '../src/storage/migrate.js';
import { openPostgres } from '../src/storage/postgres/connection.js';
import { openSqlite } from '../src/storage/sqlite/connection.js';
import { testDatabase } from './support/database.js';
import { tempDir } from './support/hookline.js';

interface Table {
  /** `name type [not null] [default x]`, in column order; type is `integer` or `text`. */
  columns: string[];
  primaryKey: string;
  /** Column lists of UNIQUE constraints. */
  unique: string[];
  /** `column -> table(column) on delete action` */
  foreignKeys: string[];
  /** Indexes made by CREATE INDEX: `name [unique] (columns) [partial]`. */
  indexes: string[];
}
type Schema = Record<string, Table>;

const kindOf = (type: string) => (/int/i.test(type) ? 'integer' : type.toLowerCase());
const column = (name: string, type: string, notNull: boolean, dflt: string | null) =>
  `${name} ${kindOf(type)}${notNull ? ' not null' : ''}${dflt === null ? '' : ` default ${dflt.replace(/::\w+$/, '')}`}`;
const index = (name: string, unique: boolean, columns: string, partial: boolean) => `${name}${unique ? ' unique' : ''} (${columns})${partial ? ' partial' : ''}`;
const sorted = (list: string[]) => [...list].sort();

async function sqliteSchema(db: Db): Promise<Schema> {
  const schema: Schema = {};
  const tables = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  for (const { name } of tables) {
    const cols = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid',
      [name],
    );
    const fks = await db.all<{ from: string; table: string; to: string; on_delete: string }>('SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)', [name]);
    const idx = await db.all<{ name: string; unique: number; origin: string; partial: number }>('SELECT name, "unique", origin, partial FROM pragma_index_list(?)', [name]);
    const columnsOf = async (indexName: string) =>
      (await db.all<{ name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [indexName])).map((c) => c.name).join(', ');
    schema[name] = {
      // A primary key column is NOT NULL in PostgreSQL; SQLite leaves it implied.
      columns: cols.map((c) => column(c.name, c.type, c.notnull === 1 || c.pk > 0, c.dflt_value)),
      primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name).join(', '),
      unique: sorted(await Promise.all(idx.filter((i) => i.origin === 'u').map((i) => columnsOf(i.name)))),
      foreignKeys: sorted(fks.map((f) => `${f.from} -> ${f.table}(${f.to}) on delete ${f.on_delete.toLowerCase()}`)),
      indexes: sorted(await Promise.all(idx.filter((i) => i.origin === 'c').map(async (i) => index(i.name, i.unique === 1, await columnsOf(i.name), i.partial === 1)))),
    };
  }
  return schema;
}

/** Column names of a list of attribute numbers of a relation, in order. */
const attnames = (attnums: string, relation: string) =>
  `(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(${attnums}) WITH ORDINALITY k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum)`;

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

async function postgresSchema(db: Db): Promise<Schema> {
  const schema: Schema = {};
  const cols = await db.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  for (const c of cols) {
    const table = (schema[c.table_name] ??= { columns: [], primaryKey: '', unique: [], foreignKeys: [], indexes: [] });
    table.columns.push(column(c.column_name, c.data_type, c.is_nullable === 'NO', c.column_default));
  }
  const constraints = await db.all<{ kind: string; table_name: string; columns: string; ref_table: string | null; ref_columns: string | null; on_delete: string }>(
    `SELECT c.contype AS kind, t.relname AS table_name, ${attnames('c.conkey', 'c.conrelid')} AS columns,
            r.relname AS ref_table, ${attnames('c.confkey', 'c.confrelid')} AS ref_columns, c.confdeltype AS on_delete
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')`,
  );
  for (const c of constraints) {
    const table = schema[c.table_name]!;
    if (c.kind === 'p') table.primaryKey = c.columns;
    if (c.kind === 'u') table.unique = sorted([...table.unique, c.columns]);
    if (c.kind === 'f') table.foreignKeys = sorted([...table.foreignKeys, `${c.columns} -> ${c.ref_table}(${c.ref_columns}) on delete ${ON_DELETE[c.on_delete]}`]);
  }
  const indexes = await db.all<{ table_name: string; name: string; is_unique: boolean; partial: boolean; columns: string }>(
    `SELECT t.relname AS table_name, i.relname AS name, x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
            ${attnames('x.indkey::int2[]', 'x.indrelid')} AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`,
  );
  for (const i of indexes) {
    const table = schema[i.table_name]!;
    table.indexes = sorted([...table.indexes, index(i.name, i.is_unique, i.columns, i.partial)]);
  }
  return schema;
}

describe('the PostgreSQL schema', () => {
  let sqlite: Db;
  let postgres: Db;

  beforeAll(async () => {
    sqlite = openSqlite(path.join(tempDir(), 'hookline.db'));
    postgres = await openPostgres(testDatabase(tempDir()), { poolSize: 2, onIdleError: () => {} });
    await migrate(sqlite, Date.now());
    await migrate(postgres, Date.now());
  });
  afterAll(async () => {
    await sqlite.close();
    await postgres.close();
  });

  it('has the tables, columns, keys and indexes of the SQLite one', async () => {
    const expected = await sqliteSchema(sqlite);
    expect(Object.keys(expected)).toContain('deliveries'); // the catalogue was read
    expect(await postgresSchema(postgres)).toEqual(expected);
  });

  it('applies the same migrations, by number and name', async () => {
    const applied = (db: Db) => db.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(await applied(postgres)).toEqual(await applied(sqlite));
  });
});
