// Times, attempt outcomes, delivery states and webhook conditions as people read them.
import type { Attempt, Delivery, TestOutcome, Webhook, WebhookSummary } from './api.js';

export function when(iso: string | null): string {
  if (iso === null) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

const KINDS: Record<string, string> = {
  timeout: 'no answer in time',
  connection: 'could not connect',
  tls: 'TLS (certificate) error',
  dns: 'host name not found',
  refused_address: 'address refused (not a public address)',
};

export function succeeded(a: Pick<Attempt, 'error_kind'>): boolean {
  return a.error_kind === null;
}

/** "Succeeded: HTTP 200", "Failed: HTTP 500", "Failed: no answer in time". */
export function outcomeOf(a: Pick<Attempt, 'status_code' | 'error_kind'>): string {
  if (succeeded(a)) return `Succeeded: HTTP ${a.status_code}`;
  if (a.status_code !== null) return `Failed: HTTP ${a.status_code}`;
  return `Failed: ${KINDS[a.error_kind ?? ''] ?? a.error_kind ?? 'no answer'}`;
}

/** What followed an attempt: a retry at a time, giving up, or nothing more. */
export function afterAttempt(d: Delivery, a: Attempt, isLast: boolean): string {
  if (succeeded(a)) return '—';
  if (a.next_retry_time) return `Retrying at ${when(a.next_retry_time)}`;
  if (!isLast) return 'Sent again later';
  if (d.state === 'failed') return d.test ? 'Not retried (test send)' : a.status_code === 410 ? 'Gave up: 410 Gone, webhook disabled' : 'Gave up';
  if (d.state === 'pending') return 'Sent again on request';
  return '—';
}

/** The state of a delivery, in words and as a tone for its badge. */
export function deliveryState(d: Delivery): { label: string; tone: 'success' | 'failure' | 'waiting' | 'neutral' } {
  switch (d.state) {
    case 'succeeded':
      return { label: 'Succeeded', tone: 'success' };
    case 'failed':
      return { label: d.test ? 'Failed' : 'Failed: gave up', tone: 'failure' };
    case 'skipped':
      return { label: 'Skipped: webhook disabled', tone: 'neutral' };
    default:
      if (d.in_flight) return { label: 'Sending…', tone: 'waiting' };
      return d.attempt_count > 0 ? { label: 'Retrying', tone: 'failure' } : { label: 'Queued', tone: 'waiting' };
  }
}

/** "Test booking.canceled event to X: delivered (HTTP 200, 35 ms)." or "...: failed (HTTP 500, 12 ms)." */
export function testOutcome(type: string, to: string, outcome: TestOutcome): { text: string; tone: 'success' | 'failure' } {
  const a = outcome.delivery.attempts[0];
  const detail = a ? `${a.status_code !== null ? `HTTP ${a.status_code}` : (KINDS[a.error_kind ?? ''] ?? a.error_message ?? 'no answer')}, ${a.duration_ms} ms` : 'no attempt';
  return { text: `Test ${type} event${to}: ${outcome.success ? 'delivered' : 'failed'} (${detail}).`, tone: outcome.success ? 'success' : 'failure' };
}

export const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** One line on how a webhook is doing: the list shows it under each webhook. */
export function conditionLine(w: Webhook, s: WebhookSummary | undefined): { text: string; tone: 'success' | 'failure' | 'neutral' } {
  if (w.status === 'disabled') return { text: `Disabled: ${w.disabled_reason ?? 'no reason given'}`, tone: 'failure' };
  const rate = s && s.success_rate_24h !== null ? ` · ${percent(s.success_rate_24h)} of ${s.attempts_24h} attempts succeeded in the last 24 hours` : ' · no attempts in the last 24 hours';
  if (s?.condition === 'failing') return { text: `Failing: ${failingReason(s)}${rate}`, tone: 'failure' };
  return { text: `Enabled${s ? rate : ''}`, tone: 'success' };
}

export function failingReason(s: WebhookSummary): string {
  const last = s.last_attempt && !s.last_attempt.succeeded ? `the last attempt (${when(s.last_attempt.attempt_time)}) ${outcomeOf(s.last_attempt).replace('Failed: ', 'failed: ')}` : '';
  const waiting = s.retrying > 0 ? `${s.retrying} ${s.retrying === 1 ? 'delivery is' : 'deliveries are'} waiting to be retried${s.next_retry_time ? ` (next at ${when(s.next_retry_time)})` : ''}` : '';
  return [last, waiting].filter(Boolean).join('; ') || 'recent attempts failed';
}
