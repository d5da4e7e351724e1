// The retry schedule as data and one pure function.
import { describe, expect, it } from 'vitest';
import { decide } from '../src/delivery/outcome.js';
import { JITTER, nextRetryDelay, parseRetryAfter, SCHEDULE_MS } from '../src/delivery/retry.js';

const DAY = 86_400_000;
const mid = () => 0.5; // no jitter
const low = () => 0;
const high = () => 0.999999;

describe('retry schedule', () => {
  it('starts at once, then follows the Standard Webhooks example, reaching about 3 days', () => {
    expect(SCHEDULE_MS[0]).toBe(0);
    const total = SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(3 * DAY);
    expect(total).toBeLessThan(3.3 * DAY);
    const delays = SCHEDULE_MS.slice(1).map((_, i) => nextRetryDelay({ attemptNumber: i + 1 }, mid));
    expect(delays).toEqual(SCHEDULE_MS.slice(1));
  });

  it('applies up to ±20 % jitter', () => {
    expect(nextRetryDelay({ attemptNumber: 2 }, low)).toBe(Math.round(SCHEDULE_MS[2] * (1 - JITTER)));
    expect(nextRetryDelay({ attemptNumber: 2 }, high)).toBeCloseTo(SCHEDULE_MS[2] * (1 + JITTER), -2);
  });

  it('gives up after the last step', () => {
    expect(nextRetryDelay({ attemptNumber: SCHEDULE_MS.length - 1 }, mid)).toBe(SCHEDULE_MS.at(-1));
    expect(nextRetryDelay({ attemptNumber: SCHEDULE_MS.length }, mid)).toBeNull();
  });

  it('waits at least a minute after a 429 or a timeout', () => {
    expect(nextRetryDelay({ attemptNumber: 1, statusCode: 429 }, mid)).toBe(60_000);
    expect(nextRetryDelay({ attemptNumber: 1, timedOut: true }, mid)).toBe(60_000);
    expect(nextRetryDelay({ attemptNumber: 1, statusCode: 500 }, mid)).toBe(5_000);
    expect(nextRetryDelay({ attemptNumber: 4, statusCode: 429 }, mid)).toBe(SCHEDULE_MS[4]);
  });

  it('honours Retry-After above the schedule, capped at a day, never below the schedule', () => {
    expect(nextRetryDelay({ attemptNumber: 1, statusCode: 503, retryAfterMs: 120_000 }, mid)).toBe(120_000);
    expect(nextRetryDelay({ attemptNumber: 3, statusCode: 503, retryAfterMs: 1_000 }, mid)).toBe(SCHEDULE_MS[3]);
    expect(nextRetryDelay({ attemptNumber: 1, statusCode: 429, retryAfterMs: 30 * DAY }, mid)).toBe(DAY);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('delivery decisions', () => {
  const base = { attemptNumber: 1, now: 1_000_000, deliveryCreatedAt: 0, webhookLastSuccessAt: null, retry: true, random: mid };
  const ok = { ok: true, statusCode: 200, durationMs: 1 };
  const failed = (statusCode: number) => ({ ok: false, statusCode, errorKind: 'http_status' as const, durationMs: 1 });

  it('succeeds on 2xx only, and treats 3xx as a failure to retry', () => {
    expect(decide({ ...base, outcome: ok })).toEqual({ state: 'succeeded', nextAttemptAt: null });
    expect(decide({ ...base, outcome: failed(302) })).toEqual({ state: 'pending', nextAttemptAt: base.now + 5_000 });
  });

  it('disables the webhook at once on 410 Gone', () => {
    expect(decide({ ...base, outcome: failed(410) })).toMatchObject({ state: 'failed', disable: expect.stringContaining('410') });
  });

  it('disables the webhook when the schedule is exhausted, unless it succeeded meanwhile', () => {
    const last = { ...base, attemptNumber: SCHEDULE_MS.length, outcome: failed(500) };
    expect(decide(last)).toMatchObject({ state: 'failed', disable: expect.stringContaining('3 days') });
    expect(decide({ ...last, webhookLastSuccessAt: 10 })).toEqual({ state: 'failed', nextAttemptAt: null });
  });

  it('never retries a test send', () => {
    expect(decide({ ...base, retry: false, outcome: failed(500) })).toEqual({ state: 'failed', nextAttemptAt: null });
  });
});
