// Slows down password guessing: after MAX_FAILURES failed sign-ins for one e-mail address from one
// client address within WINDOW_MS, further attempts are refused until the window has passed, so a
// guesser gets a handful of tries per quarter hour. State lives in the server that created it
// (one per running hookline), keyed by e-mail and client address, and is pruned as it expires.
import type { Clock } from '../clock.js';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

export interface SignInThrottle {
  /** Milliseconds until this key may try again; 0 when it may now. */
  waitFor(key: string): number;
  failed(key: string): void;
  succeeded(key: string): void;
}

export function createSignInThrottle(clock: Clock): SignInThrottle {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  return {
    waitFor(key) {
      const now = clock.now();
      const times = recent(key, now);
      if (times.length === 0) failures.delete(key);
      return times.length < MAX_FAILURES ? 0 : times[0]! + WINDOW_MS - now;
    },
    failed(key) {
      const now = clock.now();
      if (failures.size > 10_000) for (const k of failures.keys()) if (recent(k, now).length === 0) failures.delete(k);
      failures.set(key, [...recent(key, now), now]);
    },
    succeeded(key) {
      failures.delete(key);
    },
  };
}
