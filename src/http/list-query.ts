// The query string of a list, as OnceHub spells it: the cursors (limit, after, before), date ranges
// (`creation_time.gt`, `last_updated_time.lt`, ...), equality filters (`status`, `email`, ...) and
// `expand`. Each list declares which it takes (a ListSpec); the same spec gives the route's query
// schema (so unknown parameters still answer 400, and the OpenAPI document lists them) and turns a
// request's query into a page request with its SQL conditions. Filters combine with the cursors, and
// the Link headers of a filtered page keep its filters.
import { invalid } from '../errors.js';
import type { Condition, PageRequest } from '../storage/pagination.js';
import { pageRequest, type PaginationQuery } from './pagination.js';
import { paginationQuery } from './schemas.js';

export const DATE_FILTERS = {
  creation_time: 'creation time',
  last_updated_time: 'last updated time',
  starting_time: 'starting time',
} as const;
export type DateFilter = keyof typeof DATE_FILTERS;

export interface EqualityFilter {
  schema: Record<string, unknown>;
  /** The SQL condition for a value (column names from code only). */
  condition: (value: string) => Condition;
}

export interface ListSpec {
  /** The date ranges it takes, each with the column it compares (milliseconds since the epoch). */
  dates?: Partial<Record<DateFilter, string>>;
  filters?: Record<string, EqualityFilter>;
  /** The fields `expand` may name. */
  expand?: readonly string[];
}

export interface ListRequest {
  page: PageRequest;
  expand: Set<string>;
  /** The filters as given, for the Link headers of the next and previous pages. */
  filters: Record<string, string>;
}

/** `column = ?`, for the simple equality filters. */
export const equals = (column: string) => (value: string): Condition => ({ sql: `${column} = ?`, params: [value] });

/** The route's querystring schema: pagination, then the spec's filters and expand. */
export function listQuerystring(spec: ListSpec) {
  const properties: Record<string, unknown> = { ...paginationQuery.properties };
  for (const name of Object.keys(spec.dates ?? {}) as DateFilter[]) {
    const what = DATE_FILTERS[name];
    properties[`${name}.gt`] = { type: 'string', description: `Only objects whose ${what} is later than this ISO 8601 date or date-time.` };
    properties[`${name}.lt`] = { type: 'string', description: `Only objects whose ${what} is earlier than this ISO 8601 date or date-time.` };
  }
  for (const [name, filter] of Object.entries(spec.filters ?? {})) properties[name] = filter.schema;
  if (spec.expand?.length) {
    properties.expand = { type: 'string', description: `Comma-separated fields to return as objects instead of ids: ${spec.expand.join(', ')} (also as data.<field>).` };
  }
  return { type: 'object', additionalProperties: false, properties } as const;
}

/** Turns a list's validated query into a page request (cursors and conditions) and the fields to expand. */
export function listRequest(query: Record<string, unknown>, spec: ListSpec): ListRequest {
  const page = pageRequest(query as PaginationQuery);
  const where: Condition[] = [];
  const filters: Record<string, string> = {};
  for (const [name, column] of Object.entries(spec.dates ?? {}) as [DateFilter, string][]) {
    const gt = dateParam(query, `${name}.gt`);
    const lt = dateParam(query, `${name}.lt`);
    if (gt !== undefined && lt !== undefined && gt > lt) {
      throw invalid(`${name}.gt cannot be later than ${name}.lt`, `${name}.gt`);
    }
    if (gt !== undefined) where.push({ sql: `${column} > ?`, params: [gt] });
    if (lt !== undefined) where.push({ sql: `${column} < ?`, params: [lt] });
  }
  for (const [name, filter] of Object.entries(spec.filters ?? {})) {
    const value = query[name];
    if (typeof value === 'string') where.push(filter.condition(value));
  }
  for (const [name, value] of Object.entries(query)) {
    if (!['limit', 'after', 'before'].includes(name) && typeof value === 'string') filters[name] = value;
  }
  return { page: { ...page, where }, expand: expandParam(query.expand, spec.expand ?? []), filters };
}

function dateParam(query: Record<string, unknown>, name: string): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const ms = parseIsoDate(String(value));
  if (ms === undefined) throw invalid(`Invalid date: ${String(value)}`, name);
  return ms;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date (`2026-12-03`, midnight UTC) or date-time (`2026-12-03T10:15:00.123Z`, an offset,
 * or none for UTC), as milliseconds since the epoch; undefined when it is not one or names a day or
 * time that does not exist (`2025-02-30`, `25:00`).
 */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month! - 1 || back.getUTCDate() !== day || back.getUTCHours() !== hour || back.getUTCMinutes() !== minute || back.getUTCSeconds() !== second) {
    return undefined;
  }
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return utc + fraction - offsetMinutes(m[8]) * 60_000;
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return digits.startsWith('-') ? -minutes : minutes;
}

/** `expand=owner,conversation` (or `data.owner` on a list): each name must be one the list can expand. */
function expandParam(value: unknown, allowed: readonly string[]): Set<string> {
  const names = new Set<string>();
  if (typeof value !== 'string' || value.trim() === '') return names;
  for (const raw of value.split(',')) {
    const name = raw.trim().replace(/^data\./, '');
    if (name === '') continue;
    if (!allowed.includes(name)) throw invalid(`This property cannot be expanded: ${raw.trim()}`, 'expand');
    names.add(name);
  }
  return names;
}
