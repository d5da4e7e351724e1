// Wake-ups inside one process. Publishing an event tells the delivery worker which webhooks have new
// deliveries, so it claims them at once instead of waiting for its next poll; without a list, the
// worker looks for every webhook with due deliveries. It also tells the open event streams of the
// account (GET /v2/events/stream) that it has a new event. Polling stays the guarantee of both.
// On PostgreSQL an API process relays the delivery wake-ups it hears here to the workers, and a
// worker hands in what it was told (storage/postgres/wakeups.ts); no process does both.
export type DueListener = (webhookIds?: string[]) => void;
export type PublishedListener = (accountId: string) => void;

export interface Notifier {
  /** Deliveries came due: an event published, deliveries requeued, or another process said so. */
  deliveriesDue(webhookIds?: string[]): void;
  onDeliveriesDue(listener: DueListener): () => void;
  /** An event of the account was committed by this process. */
  eventPublished(accountId: string): void;
  onEventPublished(listener: PublishedListener): () => void;
}

export function createNotifier(): Notifier {
  const due = new Set<DueListener>();
  const published = new Set<PublishedListener>();
  return {
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
