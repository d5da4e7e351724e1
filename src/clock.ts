// Time comes from a Clock passed in the context, never from Date.now() directly, so timers and
// retries can be tested by moving a manual clock instead of sleeping.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** ISO 8601 with milliseconds, as OnceHub renders timestamps. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
