// Wake-ups inside one process. Publishing an event tells the delivery worker which webhooks have new
// deliveries, so it claims them at once instead of waiting for its next poll; without a list, the
// worker looks for every webhook with due deliveries. It also tells the open event streams of the
// account (GET /v2/events/stream) that it has a new event. Polling stays the guarantee of both.
// On PostgreSQL an API process relays the delivery wake-ups it hears here to the workers, and a
// worker hands in what it was told (storage/postgres/wakeups.ts); no process does both.
import type { ClaimedDelivery } from './delivery/store.js';

export type DueListener = (webhookIds?: string[]) => void;
export type PublishedListener = (accountId: string) => void;

/**
 * The in-process worker, where it is the database's only sender (SQLite), taking new deliveries
 * straight from the publisher: they are written leased to it in the publishing transaction and
 * handed over once committed, instead of it claiming them back from the database. A crash loses
 * nothing: the rows are committed with their lease, which brings them back as a claim's would.
 */
export interface Taker {
  /** Of these webhooks (enabled, not backing off), those whose new delivery it would start at once, and the lease to write it with. */
  offer(webhookIds: readonly string[]): { lease: string; until: number; webhookIds: Set<string> } | undefined;
  /** The deliveries so written, once committed. */
  take(deliveries: ClaimedDelivery[], leaseUntil: number): void;
}

export interface Notifier {
  /** Deliveries came due: an event published, deliveries requeued, or another process said so. */
  deliveriesDue(webhookIds?: string[]): void;
  onDeliveriesDue(listener: DueListener): () => void;
  /** An event of the account was committed by this process. */
  eventPublished(accountId: string): void;
  onEventPublished(listener: PublishedListener): () => void;
  /** The worker taking new deliveries from the publisher, if any (see Taker); set(undefined) removes it. */
  taker(): Taker | undefined;
  setTaker(taker: Taker | undefined): void;
}

export function createNotifier(): Notifier {
  const due = new Set<DueListener>();
  const published = new Set<PublishedListener>();
  let current: Taker | undefined;
  return {
    taker: () => current,
    setTaker: (taker) => void (current = taker),
    deliveriesDue: (webhookIds) => {
      for (const l of due) l(webhookIds);
    },
    onDeliveriesDue: (listener) => {
      due.add(listener);
      return () => due.delete(listener);
    },
    eventPublished: (accountId) => {
      for (const l of published) l(accountId);
    },
    onEventPublished: (listener) => {
      published.add(listener);
      return () => published.delete(listener);
    },
  };
}
