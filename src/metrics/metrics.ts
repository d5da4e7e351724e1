// Prometheus metrics of one running hookline, served at GET /metrics by every role. Each hookline
// has a registry of its own (tests run several in one process), and every series carries the
// process's role (`all`, `api`, `worker`). Counters are bumped where things happen; the delivery
// backlog is read from the database when scraped. Labels take bounded values only: never webhook
// ids, URLs or anything from a payload.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../clock.js';
import type { AttemptOutcome, ErrorKind } from '../delivery/http-client.js';
import type { Decision } from '../delivery/outcome.js';
import type { Logger } from '../logger.js';
import { answerWithin, type Db } from '../storage/db.js';
import type { TimerKind } from '../timers/timers.js';
import { EVENT_TYPES, type EventType } from '../webhooks/event-types.js';

export interface Metrics {
  /** The Content-Type of render()'s text. */
  readonly contentType: string;
  /** The Prometheus text exposition of this hookline's metrics and the process's. */
  render(): Promise<string>;
  eventPublished(type: EventType): void;
  /** One delivery attempt made, with what it decided (a retry, or a final state). */
  attemptRecorded(outcome: AttemptOutcome, decision: Decision): void;
  timerFired(kind: TimerKind): void;
  /** One claim of a webhook's due deliveries made, taking `taken` of them (0: it found none free). */
  claimMade(taken: number): void;
  /** Deliveries the publisher handed straight to this process's worker (SQLite), which so needed no claim. */
  handedOver(count: number): void;
}

/** The `outcome` label of an attempt: success, or why it failed. */
const FAILURE: Record<ErrorKind, string> = {
  http_status: 'http_error',
  timeout: 'timeout',
  dns: 'dns',
  tls: 'tls',
  refused_address: 'refused_address',
  connection: 'connection',
};
const OUTCOMES = ['success', ...Object.values(FAILURE)];
const TIMER_KINDS: TimerKind[] = ['booking.completed', 'conversation.abandoned'];
/** Longest wait for the backlog query: a scrape answers even when the database does not. */
const BACKLOG_TIMEOUT_MS = 3_000;

let processRegistry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event loop, GC), collected once per process: each
 * collectDefaultMetrics() call starts an event-loop monitor and a GC observer that are never
 * released, so a registry per hookline would pile them up. Every hookline's render() includes them.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(role: string, deps: { db: Db; clock: Clock; logger: Logger }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  processMetrics();

  const published = new Counter({ name: 'hookline_events_published_total', help: 'Events published (recorded in the outbox), by type.', labelNames: ['type'], registers });
  const attempts = new Counter({
    name: 'hookline_delivery_attempts_total',
    help: 'Delivery attempts made, by outcome: success, http_error (a non-2xx answer), timeout, dns, tls, refused_address, connection.',
    labelNames: ['outcome'],
    registers,
  });
  const finished = new Counter({ name: 'hookline_deliveries_finished_total', help: 'Deliveries that reached a final state through an attempt: succeeded or failed.', labelNames: ['state'], registers });
  const duration = new Histogram({
    name: 'hookline_delivery_attempt_duration_seconds',
    help: 'How long delivery attempts took, whatever their outcome.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers,
  });
  const timers = new Counter({ name: 'hookline_timers_fired_total', help: 'Durable timers fired (their transaction committed), by kind.', labelNames: ['kind'], registers });
  const claims = new Counter({
    name: 'hookline_delivery_claims_total',
    help: 'Claims of a webhook\'s due deliveries, by result: found (took some) or empty (another worker had taken them, or none was due).',
    labelNames: ['result'],
    registers,
  });
  const handed = new Counter({
    name: 'hookline_deliveries_handed_over_total',
    help: 'New deliveries the publishing process handed straight to its own worker (SQLite, the only sender), written leased to it: no claim was needed.',
    registers,
  });
  for (const type of EVENT_TYPES) published.inc({ type }, 0);
  for (const result of ['found', 'empty']) claims.inc({ result }, 0);
  for (const outcome of OUTCOMES) attempts.inc({ outcome }, 0);
  for (const state of ['succeeded', 'failed']) finished.inc({ state }, 0);
  for (const kind of TIMER_KINDS) timers.inc({ kind }, 0);

  // The three backlog gauges share one query per scrape: a registry collects all its metrics at once.
  let reading: Promise<Backlog | undefined> | undefined;
  const backlog = () => (reading ??= readBacklog(deps).finally(() => (reading = undefined)));
  const gauge = (name: string, help: string, pick: (b: Backlog) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const b = await backlog();
        this.set(b ? pick(b) : Number.NaN);
      },
    });
  gauge('hookline_deliveries_pending', 'Deliveries waiting for an attempt or in flight (NaN when the database did not answer).', (b) => b.pending);
  gauge('hookline_deliveries_backlog', 'Pending deliveries due now and not in flight (NaN when the database did not answer).', (b) => b.due);
  gauge(
    'hookline_deliveries_backlog_age_seconds',
    'How long the oldest due delivery has been due; 0 when none is (NaN when the database did not answer).',
    (b) => b.ageSeconds,
  );

  // Enabled webhooks per delivery health state (delivery/health.ts), read from the webhooks table at each scrape.
  new Gauge({
    name: 'hookline_webhooks_by_health',
    help: 'Enabled webhooks by delivery health as the workers last recorded it: healthy, slowed, backing_off (NaN when the database did not answer).',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await readHealth(deps);
      for (const state of HEALTH_STATES) this.set({ state }, counts ? (counts.get(state) ?? 0) : Number.NaN);
    },
  });

  return {
    contentType: registry.contentType,
    render() {
      const all = Registry.merge([registry, processMetrics()]);
      all.setDefaultLabels({ role });
      return all.metrics();
    },
    eventPublished: (type) => published.inc({ type }),
    attemptRecorded(outcome, decision) {
      attempts.inc({ outcome: outcome.ok ? 'success' : FAILURE[outcome.errorKind ?? 'connection'] });
      duration.observe(outcome.durationMs / 1000);
      if (decision.state !== 'pending') finished.inc({ state: decision.state });
    },
    timerFired: (kind) => timers.inc({ kind }),
    claimMade: (taken) => claims.inc({ result: taken > 0 ? 'found' : 'empty' }),
    handedOver: (count) => handed.inc(count),
  };
}

const HEALTH_STATES = ['healthy', 'slowed', 'backing_off'];

async function readHealth({ db, logger }: { db: Db; logger: Logger }): Promise<Map<string, number> | undefined> {
  try {
    const rows = await answerWithin(
      db.all<{ state: string; n: number }>("SELECT delivery_health AS state, COUNT(*) AS n FROM webhooks WHERE status = 'enabled' GROUP BY delivery_health"),
      BACKLOG_TIMEOUT_MS,
    );
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  } catch (err) {
    logger.debug({ err }, 'metrics: could not read the webhooks’ delivery health');
    return undefined;
  }
}

interface Backlog {
  pending: number;
  due: number;
  ageSeconds: number;
}

/**
 * One pass over the partial index of pending deliveries (deliveries_webhook_due holds only them,
 * with next_attempt_at): as cheap as the backlog is small. In-flight deliveries hold their lease's
 * end as next_attempt_at, so they count as due only once a lease has run out.
 */
async function readBacklog({ db, clock, logger }: { db: Db; clock: Clock; logger: Logger }): Promise<Backlog | undefined> {
  const now = clock.now();
  try {
    const row = await answerWithin(
      db.get<{ pending: number; due: number; oldest: number | null }>(
        `SELECT COUNT(*) AS pending, COUNT(CASE WHEN next_attempt_at <= ? THEN 1 END) AS due,
                MIN(CASE WHEN next_attempt_at <= ? THEN next_attempt_at END) AS oldest
           FROM deliveries WHERE state = 'pending'`,
        [now, now],
      ),
      BACKLOG_TIMEOUT_MS,
    );
    const oldest = row?.oldest ?? null;
    return { pending: Number(row?.pending ?? 0), due: Number(row?.due ?? 0), ageSeconds: oldest === null ? 0 : Math.max(0, now - Number(oldest)) / 1000 };
  } catch (err) {
    logger.debug({ err }, 'metrics: could not read the delivery backlog');
    return undefined;
  }
}
