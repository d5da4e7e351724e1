// In-process wake-ups: publishing an event wakes the delivery dispatcher at once instead of
// waiting for its next poll. Polling stays the guarantee; a wake-up only makes it sooner.
export interface Notifier {
  deliveriesDue(): void;
  onDeliveriesDue(listener: () => void): () => void;
}

export function createNotifier(): Notifier {
  const listeners = new Set<() => void>();
  return {
    deliveriesDue: () => {
      for (const l of listeners) l();
    },
    onDeliveriesDue: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
