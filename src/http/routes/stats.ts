// Delivery figures (hookline extension), with an API key or the page's session: one webhook's
// attempts over time (the chart on its page), and the last day's success rate and present
// condition of a page of webhooks (the list). Computed in SQL from the attempts, on request.
import type { FastifyInstance } from 'fastify';
import { RANGE_NAMES, webhookStats, webhookSummaries, type Range } from '../../stats/service.js';
import { accountOf } from '../auth.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import { errorResponses, notFoundResponse, paginationQuery } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['Delivery figures'];
const count = { type: 'integer', minimum: 0 } as const;
const ms = { type: ['integer', 'null'], description: 'Milliseconds; null when there were no attempts.' } as const;

const figures = {
  attempts: count,
  succeeded: { ...count, description: 'Attempts answered 2xx.' },
  failed: { ...count, description: 'Attempts answered otherwise, or not answered (timeout, connection, TLS, DNS, refused address).' },
  p50_ms: { ...ms, description: 'Median attempt duration (nearest rank).' },
  p95_ms: { ...ms, description: '95th percentile of attempt durations (nearest rank).' },
} as const;

const summarySchema = {
  type: 'object',
  required: ['object', 'webhook_id', 'condition', 'attempts_24h', 'succeeded_24h', 'failed_24h', 'success_rate_24h', 'last_attempt', 'retrying', 'next_retry_time'],
  properties: {
    object: { type: 'string', const: 'webhook_summary' },
    webhook_id: { type: 'string' },
    condition: {
      type: 'string',
      enum: ['idle', 'healthy', 'failing', 'disabled'],
      description: 'disabled; failing: deliveries are waiting to be retried, or the last attempt failed; healthy: the last attempt succeeded; idle: no attempt yet.',
    },
    attempts_24h: count,
    succeeded_24h: count,
    failed_24h: count,
    success_rate_24h: { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'succeeded / attempts over the last 24 hours; null without attempts.' },
    last_attempt: {
      type: ['object', 'null'],
      required: ['attempt_time', 'succeeded', 'status_code', 'error_kind', 'error_message'],
      properties: {
        attempt_time: { type: 'string', format: 'date-time' },
        succeeded: { type: 'boolean' },
        status_code: { type: ['integer', 'null'] },
        error_kind: { type: ['string', 'null'] },
        error_message: { type: ['string', 'null'] },
      },
    },
    retrying: { ...count, description: 'Pending deliveries that failed at least once: waiting for their next attempt.' },
    next_retry_time: { type: ['string', 'null'], format: 'date-time', description: 'When the first of those is due.' },
  },
} as const;

const statsSchema = {
  type: 'object',
  required: ['object', 'webhook_id', 'range', 'start_time', 'end_time', 'interval_seconds', 'totals', 'intervals', 'summary'],
  properties: {
    object: { type: 'string', const: 'webhook_stats' },
    webhook_id: { type: 'string' },
    range: { type: 'string', enum: RANGE_NAMES },
    start_time: { type: 'string', format: 'date-time' },
    end_time: { type: 'string', format: 'date-time', description: 'The end of the interval holding now (intervals start on whole hours, UTC).' },
    interval_seconds: { type: 'integer', description: '3600 for 24h, 21600 for 7d.' },
    totals: {
      type: 'object',
      required: ['attempts', 'succeeded', 'failed', 'p50_ms', 'p95_ms', 'success_rate'],
      properties: { ...figures, success_rate: { type: ['number', 'null'], minimum: 0, maximum: 1 } },
    },
    intervals: {
      type: 'array',
      description: 'Every interval of the range, oldest first; an attempt counts in the interval it was made in.',
      items: { type: 'object', required: ['start_time', 'attempts', 'succeeded', 'failed', 'p50_ms', 'p95_ms'], properties: { start_time: { type: 'string', format: 'date-time' }, ...figures } },
    },
    summary: summarySchema,
  },
} as const;

export function statsRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.get<{ Params: { id: string }; Querystring: { range: Range } }>('/v2/webhooks/:id/stats', {
    schema: {
      operationId: 'get-webhook-stats',
      summary: "A webhook's delivery attempts over the last 24 hours or 7 days: succeeded and failed per interval, p50/p95 latency (hookline extension)",
      tags,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The webhook id.' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { range: { type: 'string', enum: RANGE_NAMES, default: '24h' } } },
      response: { 200: statsSchema, ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => webhookStats(ctx, accountOf(request), request.params.id, request.query.range),
  });

  app.get<{ Querystring: PaginationQuery }>('/v2/webhook-stats', {
    schema: {
      operationId: 'list-webhook-summaries',
      summary: "Each webhook's success rate over the last 24 hours and its present condition, paged as the webhooks list (hookline extension)",
      tags,
      querystring: paginationQuery,
      response: {
        200: { type: 'object', required: ['object', 'data', 'has_more'], properties: { object: { type: 'string', const: 'list' }, data: { type: 'array', items: summarySchema }, has_more: { type: 'boolean' } } },
        ...errorResponses,
      },
    },
    handler: async (request, reply) => {
      const page = await webhookSummaries(ctx, accountOf(request), pageRequest(request.query));
      return sendPage(request, reply, page, ctx.config.publicUrl);
    },
  });
}
