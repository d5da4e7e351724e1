// Cursor pagination as OnceHub does it: newest first, `after` / `before` take an object id, and a
// page knows whether older and newer objects exist beyond it. Rows are ordered by their `seq`
// column, which only grows, so pages stay stable while objects are added.
import { invalid } from '../errors.js';
import type { Db, SqlValue } from './db.js';

export interface PageRequest {
  limit: number;
  after?: string | undefined;
  before?: string | undefined;
  /** Filters of the listed rows (ANDed). The cursor object itself need not pass them. */
  where?: Condition[] | undefined;
}

/** A piece of SQL with its parameters; its column names come from code, never from a request. */
export interface Condition {
  sql: string;
  params: SqlValue[];
}

export interface Page<T> {
  data: T[];
  /** More objects lie beyond this page in the direction being paged. */
  hasMore: boolean;
  /** Objects older than the last one exist (a `next` link). */
  hasOlder: boolean;
  /** Objects newer than the first one exist (a `previous` link). */
  hasNewer: boolean;
}

export interface PageScope {
  table: string;
  /** A condition that selects the objects of the list, e.g. `account_id = ?`. */
  where: string;
  params: SqlValue[];
  /** The noun in the error for an unknown cursor: "No such webhook: 'X'". */
  noun: string;
}

export async function fetchPage<T extends { seq: number; id: string }>(db: Db, scope: PageScope, req: PageRequest): Promise<Page<T>> {
  const { table, where } = scope;
  const filters = req.where ?? [];
  const listed = [where, ...filters.map((c) => c.sql)].map((sql) => `(${sql})`).join(' AND ');
  const params = [...scope.params, ...filters.flatMap((c) => c.params)];
  const cursorId = req.after ?? req.before;
  if (cursorId === undefined) {
    const rows = await db.all<T>(`SELECT * FROM ${table} WHERE ${listed} ORDER BY seq DESC LIMIT ?`, [...params, req.limit + 1]);
    const hasOlder = rows.length > req.limit;
    return { data: rows.slice(0, req.limit), hasMore: hasOlder, hasOlder, hasNewer: false };
  }
  const cursorParam = req.after !== undefined ? 'after' : 'before';
  const cursor = await db.get<{ seq: number }>(`SELECT seq FROM ${table} WHERE ${where} AND id = ?`, [...scope.params, cursorId]);
  if (!cursor) throw invalid(`No such ${scope.noun}: '${cursorId}'`, cursorParam);
  if (cursorParam === 'after') {
    const rows = await db.all<T>(`SELECT * FROM ${table} WHERE ${listed} AND seq < ? ORDER BY seq DESC LIMIT ?`, [...params, cursor.seq, req.limit + 1]);
    const hasOlder = rows.length > req.limit;
    return { data: rows.slice(0, req.limit), hasMore: hasOlder, hasOlder, hasNewer: true };
  }
  const rows = await db.all<T>(`SELECT * FROM ${table} WHERE ${listed} AND seq > ? ORDER BY seq ASC LIMIT ?`, [...params, cursor.seq, req.limit + 1]);
  const hasNewer = rows.length > req.limit;
  return { data: rows.slice(0, req.limit).reverse(), hasMore: hasNewer, hasOlder: true, hasNewer };
}
