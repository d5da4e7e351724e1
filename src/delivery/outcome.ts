// The delivery state machine, as one pure function from an attempt's outcome to what follows.
//
//   pending --2xx--------------------------------> succeeded
//   pending --failure, schedule not exhausted----> pending (next_attempt_at = now + retry delay)
//   pending --410 Gone---------------------------> failed, and the webhook is disabled at once
//   pending --failure, schedule exhausted--------> failed, and the webhook is disabled unless it
//                                                  succeeded for another delivery meanwhile
//   pending --webhook disabled when due----------> skipped
//
// failed and skipped deliveries return to pending through redeliver / recover / replay.
import type { AttemptOutcome } from './http-client.js';
import { nextRetryDelay, parseRetryAfter } from './retry.js';

export interface Decision {
  state: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: number | null;
  /** Set when the webhook must be disabled, with the reason shown to its owner. */
  disable?: string;
}

export interface DecisionInput {
  outcome: AttemptOutcome;
  attemptNumber: number;
  now: number;
  deliveryCreatedAt: number;
  webhookLastSuccessAt: number | null;
  /** A test send is tried once and never retried. */
  retry: boolean;
  random?: () => number;
}

export function decide(input: DecisionInput): Decision {
  const { outcome, now } = input;
  if (outcome.ok) return { state: 'succeeded', nextAttemptAt: null };
  if (outcome.statusCode === 410) {
    return { state: 'failed', nextAttemptAt: null, disable: 'The receiver answered 410 Gone: it no longer accepts deliveries.' };
  }
  if (!input.retry) return { state: 'failed', nextAttemptAt: null };
  const delay = nextRetryDelay(
    {
      attemptNumber: input.attemptNumber,
      statusCode: outcome.statusCode,
      timedOut: outcome.errorKind === 'timeout',
      retryAfterMs: parseRetryAfter(outcome.retryAfter, now),
    },
    input.random,
  );
  if (delay !== null) return { state: 'pending', nextAttemptAt: now + delay };
  const succeededSince = input.webhookLastSuccessAt !== null && input.webhookLastSuccessAt >= input.deliveryCreatedAt;
  if (succeededSince) return { state: 'failed', nextAttemptAt: null };
  return {
    state: 'failed',
    nextAttemptAt: null,
    disable: `Deliveries kept failing for ${input.attemptNumber} attempts over about 3 days (last: ${outcome.errorMessage ?? 'failure'}).`,
  };
}
