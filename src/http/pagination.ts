// Turns list queries into page requests, and pages into OnceHub's list envelope and Link header.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../errors.js';
import type { Page, PageRequest } from '../storage/pagination.js';

export interface PaginationQuery {
  limit?: number;
  after?: string;
  before?: string;
}

export function pageRequest(query: PaginationQuery): PageRequest {
  if (query.after !== undefined && query.before !== undefined) {
    throw invalid('Received both before and after parameters. Please provide only one.');
  }
  return { limit: query.limit ?? 10, after: query.after, before: query.before };
}

/** Sends {object:"list", data, has_more} with a Link header naming the next and previous pages. */
export function sendPage<T extends { id: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  page: Page<T>,
  publicUrl: string | undefined,
  extraQuery: Record<string, string> = {},
) {
  const first = page.data[0];
  const last = page.data[page.data.length - 1];
  const limit = String((request.query as PaginationQuery).limit ?? 10);
  const base = `${publicUrl ?? `${request.protocol}://${request.host}`}${request.url.split('?')[0]}`;
  const link = (cursor: 'after' | 'before', id: string, rel: string) =>
    `<${base}?${new URLSearchParams({ ...extraQuery, [cursor]: id, limit }).toString()}>; rel="${rel}"`;
  const links: string[] = [];
  if (page.hasOlder && last) links.push(link('after', last.id, 'next'));
  if (page.hasNewer && first) links.push(link('before', first.id, 'previous'));
  if (links.length > 0) reply.header('Link', links.join(', '));
  return reply.send({ object: 'list', data: page.data, has_more: page.hasMore });
}
