// When to try a failed delivery again: the schedule is data, and nextRetryDelay() is the one pure
// function that reads it. Attempt 1 goes at once; after failed attempt n, the wait is
// SCHEDULE_MS[n] (±20 % jitter). The waits add up to about 3 days; after the last one, give up.
export const SCHEDULE_MS = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
] as const;

export const JITTER = 0.2;
/** Rate limiting (429) and timeouts wait at least this long. */
export const SLOW_DOWN_MIN_MS = 60_000;
/** A Retry-After header is honoured up to this long. */
export const RETRY_AFTER_MAX_MS = 24 * 3_600_000;

export interface FailedAttempt {
  /** 1 for the first attempt. */
  attemptNumber: number;
  statusCode?: number | undefined;
  timedOut?: boolean;
  /** Parsed Retry-After, in milliseconds, when the receiver sent one. */
  retryAfterMs?: number | undefined;
}

/** Milliseconds to wait before the next attempt, or null when the schedule is exhausted. */
export function nextRetryDelay(failed: FailedAttempt, random: () => number = Math.random): number | null {
  const base = SCHEDULE_MS[failed.attemptNumber];
  if (base === undefined) return null;
  let delay = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  if (failed.statusCode === 429 || failed.timedOut) delay = Math.max(delay, SLOW_DOWN_MIN_MS);
  if (failed.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(failed.retryAfterMs, RETRY_AFTER_MAX_MS));
  return delay;
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
