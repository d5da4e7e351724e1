// The 11 event types of OnceHub's webhook documentation, a 12th that OnceHub's Zapier integration and
// Pipedream's component know (`conversation.reached_out`: a chatbot reaches out to a website visitor
// first), and the two composite subscription values that stand for every type of their kind. A
// composite is never delivered as a type.
export const BOOKING_EVENTS = [
  'booking.scheduled',
  'booking.rescheduled',
  'booking.reassigned',
  'booking.canceled_then_rescheduled',
  'booking.canceled_reschedule_requested',
  'booking.canceled',
  'booking.completed',
  'booking.no_show',
] as const;

export const CONVERSATION_EVENTS = ['conversation.started', 'conversation.closed', 'conversation.abandoned', 'conversation.reached_out'] as const;

export const EVENT_TYPES = [...BOOKING_EVENTS, ...CONVERSATION_EVENTS] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const COMPOSITES = { booking: BOOKING_EVENTS, conversation: CONVERSATION_EVENTS } as const;
export type Composite = keyof typeof COMPOSITES;

/** What a webhook's `events` list may hold. */
export const SUBSCRIBABLE = [...(Object.keys(COMPOSITES) as Composite[]), ...EVENT_TYPES] as const;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export function isComposite(value: string): value is Composite {
  return Object.hasOwn(COMPOSITES, value);
}

/** The kind of a type: its part before the dot (`booking`, `conversation`). */
export function kindOf(type: EventType): Composite {
  return type.slice(0, type.indexOf('.')) as Composite;
}

/** True when a subscription list receives the given type, directly or through its composite. */
export function subscribes(events: readonly string[], type: EventType): boolean {
  return events.includes(type) || events.includes(kindOf(type));
}
