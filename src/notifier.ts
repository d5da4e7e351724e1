// Wake-ups: publishing an event tells the delivery worker which webhooks have new deliveries, so
// it claims them at once instead of waiting for its next poll. Without a list, the worker looks
// for every webhook with due deliveries. Polling stays the guarantee.
// On PostgreSQL an API process relays what it hears here to the workers, and a worker hands in
// what it was told (storage/postgres/wakeups.ts); no process does both.
export type DueListener = (webhookIds?: string[]) => void;

export interface Notifier {
  /** Deliveries came due: an event published, deliveries requeued, or another process said so. */
  deliveriesDue(webhookIds?: string[]): void;
  onDeliveriesDue(listener: DueListener): () => void;
}

export function createNotifier(): Notifier {
  const listeners = new Set<DueListener>();
  return {
    deliveriesDue: (webhookIds) => {
      for (const l of listeners) l(webhookIds);
    },
    onDeliveriesDue: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
