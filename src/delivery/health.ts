// Adaptive concurrency per webhook: how many attempts one worker lets run at once to a receiver,
// from how the receiver behaves. A pure state machine; the dispatcher feeds it each attempt's
// outcome and asks it how many attempts may run.
//
//   healthy  --timeout / connection failure---------------> slowed (window cut to 1: one probe at a time)
//   slowed   --an answer (any HTTP status)----------------> slowed, window doubled (up to the cap)
//   slowed   --window back at the cap---------------------> healthy
//   slowed   --still unanswered BACKOFF_AFTER_MS after
//              its first failure--------------------------> backing_off (no attempt until resume_at)
//   backing_off --resume_at passes-------------------------> one probe: answered -> slowed (growing);
//                                                            unanswered -> backing_off again, twice as long
//   any      --429 / 503---------------------------------> slowed, window halved
//
// A webhook this worker has never had an answer from starts at a small window and grows the same
// way (slow start), so a receiver that never answers holds few slots before its first timeout.
// What each worker's machine decides is recorded on the webhook row when its state changes (the
// webhook object's delivery_health, the metrics' counts per state); backing_off also stops every
// worker's claims until resume_at. A worker that claims a webhook another worker recorded as
// slowed or backing off starts from that state.
import type { AttemptOutcome } from './http-client.js';

export type HealthState = 'healthy' | 'slowed' | 'backing_off';

export interface Health {
  state: HealthState;
  /** Attempts that may run at once (to this worker). */
  window: number;
  /** When state last changed. */
  since: number;
  /** The first unanswered failure since the last answer. */
  failingSince: number | undefined;
  /** backing_off: no attempt before this. */
  resumeAt: number | undefined;
  /** backing_off: how long the next backoff lasts if the probe fails too. */
  backoffMs: number;
  /** Whether an answer came from it since this worker first saw it. */
  answered: boolean;
}

/** First window of a webhook not heard from yet. */
export const INITIAL_WINDOW = 2;
/** A webhook failing without an answer for this long backs off as a whole. */
export const BACKOFF_AFTER_MS = 120_000;
export const FIRST_BACKOFF_MS = 30_000;
export const MAX_BACKOFF_MS = 300_000;

export function newHealth(cap: number, now: number, recorded?: { state: HealthState; since: number | null; resumeAt: number | null }): Health {
  const base: Health = { state: 'healthy', window: Math.min(cap, INITIAL_WINDOW), since: now, failingSince: undefined, resumeAt: undefined, backoffMs: FIRST_BACKOFF_MS, answered: false };
  if (!recorded || recorded.state === 'healthy') return base;
  return adopt(base, recorded);
}

/** Takes on the state another worker recorded, when this worker has seen nothing of its own since (or at all). */
export function adopt(h: Health, recorded: { state: HealthState; since: number | null; resumeAt: number | null }): Health {
  const since = recorded.since ?? 0;
  const seenAnything = h.answered || h.failingSince !== undefined;
  if (recorded.state === h.state || (seenAnything && since <= h.since)) return h;
  if (recorded.state === 'healthy') return h; // its own answers will bring it there
  return { ...h, state: recorded.state, since, window: 1, failingSince: h.failingSince ?? since, resumeAt: recorded.resumeAt ?? undefined };
}

/** Unanswered: the receiver holds a slot until the timeout, or refuses connections. */
const unanswered = (o: AttemptOutcome) => !o.ok && o.statusCode === undefined && o.errorKind !== 'refused_address';
/** Answered, but asking to slow down. */
const overloaded = (o: AttemptOutcome) => o.statusCode === 429 || o.statusCode === 503;

/** `startedAt`: when the attempt started; failures of attempts started before a backoff began count no more. */
export function onOutcome(h: Health, outcome: AttemptOutcome, startedAt: number, cap: number, now: number): Health {
  if (unanswered(outcome)) {
    if (h.state === 'backing_off' && h.resumeAt !== undefined && startedAt < h.resumeAt - h.backoffMs) return h;
    const failingSince = h.failingSince ?? now;
    if (now - failingSince >= BACKOFF_AFTER_MS || h.state === 'backing_off') {
      const backoffMs = h.state === 'backing_off' ? Math.min(MAX_BACKOFF_MS, h.backoffMs * 2) : h.backoffMs;
      return { ...h, state: 'backing_off', window: 1, since: h.state === 'backing_off' ? h.since : now, failingSince, resumeAt: now + backoffMs, backoffMs };
    }
    return { ...h, state: 'slowed', window: 1, since: h.state === 'slowed' ? h.since : now, failingSince };
  }
  if (outcome.statusCode === undefined) return h; // refused by the SSRF guard: says nothing of the receiver
  const answered = { ...h, answered: true, failingSince: undefined, resumeAt: undefined, backoffMs: FIRST_BACKOFF_MS };
  if (overloaded(outcome)) {
    return { ...answered, state: 'slowed', window: Math.max(1, Math.floor(h.window / 2)), since: h.state === 'slowed' ? h.since : now };
  }
  const window = Math.min(cap, h.window * 2);
  if (h.state === 'healthy') return { ...answered, window };
  if (window >= cap) return { ...answered, state: 'healthy', window, since: now };
  return { ...answered, state: 'slowed', window, since: h.state === 'slowed' ? h.since : now };
}

/** How many attempts may run now (0 while backing off, then 1: the probe). */
export function allowed(h: Health, now: number): number {
  if (h.state === 'backing_off') return h.resumeAt !== undefined && now < h.resumeAt ? 0 : 1;
  return h.window;
}
