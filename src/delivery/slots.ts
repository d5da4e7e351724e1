// The in-memory middle of the delivery pipeline: per webhook, the deliveries claimed and waiting,
// the attempts in flight and its health (health.ts), and the choice of what starts next.
//
// A claimed delivery waits in its webhook's queue, then starts, then waits for its outcome to be
// recorded; through all three it is "held" under its lease (leases.ts renews it). It starts only
// while its lease and this worker's heartbeat leave room for a whole attempt (canStart); else it is
// given back unsent, since another worker may take it once the lease runs out.
//
// Free slots go round-robin to the webhooks with queued work, each up to what its health allows.
// Webhooks not known to answer promptly (not healthy, never answered yet, or with an attempt
// unanswered for longer than slowMs) share at most half the slots between them, so receivers that
// hang or die can never take the slots a healthy receiver needs. A webhook's very first attempt is
// the exception (else a new healthy receiver could wait behind dead ones to find out it is healthy).
import { allowed, newHealth, type Health } from './health.js';
import type { ClaimedDelivery } from './store.js';

export interface Held {
  d: ClaimedDelivery;
  /** When its lease ends (set by the claim, moved by renewals). */
  leaseUntil: number;
  /** When its attempt started; undefined while queued. */
  startedAt?: number;
}

export interface Hook {
  queue: Held[];
  running: number;
  /** Start times of the attempts in flight, oldest first. */
  starts: number[];
  health: Health;
  /** Since when it has had nothing in flight (idle webhooks are forgotten after a while). */
  idleSince: number;
  /** Whether this worker has started an attempt to it yet: a webhook's very first attempt never waits for the slow ones' half. */
  tried: boolean;
  /** The health state the webhook row holds, as last read or written. */
  recorded: { state: Health['state']; since: number | null; resumeAt: number | null };
}

export interface SlotLimits {
  concurrency: number;
  perWebhook: number;
  /** An attempt unanswered for longer makes its webhook count among the slow ones. */
  slowMs: number;
}

export function newHook(cap: number, now: number, recorded: Hook['recorded']): Hook {
  return { queue: [], running: 0, starts: [], health: newHealth(cap, now, recorded), idleSince: now, tried: false, recorded };
}

/** Attempts this webhook may have in flight now. */
export const limitOf = (hook: Hook, limits: SlotLimits, now: number): number => Math.min(limits.perWebhook, allowed(hook.health, now));

/** Known to answer promptly: its attempts do not count against the slow webhooks' half. */
export function trusted(hook: Hook, limits: SlotLimits, now: number): boolean {
  if (hook.health.state !== 'healthy' || !hook.health.answered) return false;
  return hook.starts.length === 0 || now - hook.starts[0]! <= limits.slowMs;
}

/** Slots the webhooks not trusted may hold between them. */
export const slowShare = (limits: SlotLimits): number => Math.max(1, Math.floor(limits.concurrency / 2));

export interface Start {
  webhookId: string;
  hook: Hook;
  held: Held;
}

/**
 * Takes the next deliveries to start, round-robin over the webhooks with queued deliveries
 * (`waiting`, whose order moves on: a webhook that started one goes to the back, one whose queue
 * ran empty leaves), until `free` slots are used or nothing more may start. `running`: the
 * webhooks with attempts in flight.
 */
export function pickStarts(waiting: Map<string, Hook>, running: Iterable<Hook>, limits: SlotLimits, free: number, now: number): Start[] {
  const picks: Start[] = [];
  let slow = 0;
  for (const hook of running) if (!trusted(hook, limits, now)) slow += hook.running;
  let progress = true;
  while (free > 0 && progress) {
    progress = false;
    for (const [webhookId, hook] of [...waiting]) {
      if (free <= 0) break;
      if (hook.running >= limitOf(hook, limits, now)) continue;
      const isTrusted = trusted(hook, limits, now);
      if (!isTrusted && slow >= slowShare(limits) && hook.tried) continue;
      const held = hook.queue.shift()!;
      hook.tried = true;
      hook.running++; // undone by the caller if the delivery cannot start after all
      if (!isTrusted) slow++;
      free--;
      picks.push({ webhookId, hook, held });
      progress = true;
      waiting.delete(webhookId);
      if (hook.queue.length > 0) waiting.set(webhookId, hook);
    }
  }
  return picks;
}

/** Whether an attempt may start now: its lease, and this worker's standing, outlast a whole attempt. */
export function canStart(held: Held, now: number, margins: { attemptMs: number; aliveUntil: number }): boolean {
  return now + margins.attemptMs <= held.leaseUntil && now <= margins.aliveUntil;
}

/** Starts per second, over the last few seconds. */
export function startRate(windowMs = 2_000, buckets = 8) {
  const size = windowMs / buckets;
  const counts = new Array<number>(buckets).fill(0);
  let current = 0;
  let currentStart = 0;
  const roll = (now: number) => {
    const bucket = Math.floor(now / size);
    if (bucket === current) return;
    const gap = Math.min(buckets, bucket - current);
    for (let i = 1; i <= gap; i++) counts[(current + i) % buckets] = 0;
    current = bucket;
    currentStart = bucket * size;
  };
  return {
    started(now: number, n = 1) {
      roll(now);
      counts[current % buckets]! += n;
    },
    perSecond(now: number): number {
      roll(now);
      const total = counts.reduce((a, b) => a + b, 0);
      const span = windowMs - size + (now - currentStart);
      return (total * 1000) / span;
    },
  };
}
