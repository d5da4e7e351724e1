// Wake-ups: publishing an event tells the delivery worker which webhooks have new deliveries, so
// it claims them at once instead of waiting for its next poll. Without a list, the worker looks
// for every webhook with due deliveries. Polling stays the guarantee.
// On PostgreSQL the local wake-ups are also relayed to the other processes (storage/postgres/wakeups.ts),
// whose relay hands them in here as 'remote' ones.
export type DueOrigin = 'local' | 'remote';
export type DueListener = (webhookIds: string[] | undefined, origin: DueOrigin) => void;

export interface Notifier {
  /** Deliveries came due through this process (an event published, deliveries requeued). */
  deliveriesDue(webhookIds?: string[]): void;
  /** Another process said deliveries came due. */
  remoteDeliveriesDue(webhookIds?: string[]): void;
  onDeliveriesDue(listener: DueListener): () => void;
}

export function createNotifier(): Notifier {
  const listeners = new Set<DueListener>();
  const emit = (webhookIds: string[] | undefined, origin: DueOrigin) => {
    for (const l of listeners) l(webhookIds, origin);
  };
  return {
    deliveriesDue: (webhookIds) => emit(webhookIds, 'local'),
    remoteDeliveriesDue: (webhookIds) => emit(webhookIds, 'remote'),
    onDeliveriesDue: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
