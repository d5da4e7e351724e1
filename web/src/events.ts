// The event triggers a webhook can subscribe to, grouped and described as the product page's table does.
export interface EventChoice {
  type: string;
  label: string;
  description: string;
}

export const EVENT_GROUPS: { title: string; events: EventChoice[] }[] = [
  {
    title: 'Booking events',
    events: [
      { type: 'booking.scheduled', label: 'Booking Scheduled Event', description: 'Triggers when a customer schedules a new booking.' },
      { type: 'booking.rescheduled', label: 'Booking Rescheduled Event', description: 'Triggers when an existing booking is moved to a new time.' },
      { type: 'booking.reassigned', label: 'Booking Reassigned Event', description: 'Triggers when a booking is moved from one user to another.' },
      {
        type: 'booking.canceled_then_rescheduled',
        label: 'Booking Canceled Then Rescheduled Event',
        description: 'Triggers when a booking is canceled and immediately rescheduled.',
      },
      {
        type: 'booking.canceled_reschedule_requested',
        label: 'Booking Canceled Reschedule Requested Event',
        description: 'Triggers when a booking is canceled with a request for the customer to reschedule.',
      },
      { type: 'booking.canceled', label: 'Booking Canceled Event', description: 'Triggers when a booking is officially canceled.' },
      { type: 'booking.completed', label: 'Booking Completed Event', description: 'Triggers once the scheduled booking end time has passed.' },
      { type: 'booking.no_show', label: 'Booking No Show Event', description: 'Triggers when a user manually marks a completed booking as a No-show.' },
    ],
  },
  {
    title: 'Conversation events',
    events: [
      { type: 'conversation.started', label: 'Conversation Started Event', description: 'Triggers when a new chatbot or live engagement session begins.' },
      {
        type: 'conversation.closed',
        label: 'Conversation Closed Event',
        description:
          'Triggers when a conversation is successfully concluded. This occurs when the visitor reaches the end of a conversation flow, or starts a new conversation with a different chatbot.',
      },
      {
        type: 'conversation.abandoned',
        label: 'Conversation Abandoned Event',
        description: 'Triggers when a customer leaves a conversation before it is completed or closed.',
      },
    ],
  },
];

/** A concrete event type a webhook listens to (composites `booking`/`conversation` stand for their first type). */
export function sampleType(events: string[]): string {
  const first = events[0] ?? 'booking.scheduled';
  if (first === 'booking') return 'booking.scheduled';
  if (first === 'conversation') return 'conversation.started';
  return first;
}

export function labelOf(type: string): string {
  if (type === 'booking') return 'All booking events';
  if (type === 'conversation') return 'All conversation events';
  return EVENT_GROUPS.flatMap((g) => g.events).find((e) => e.type === type)?.label ?? type;
}

/** The concrete event types a webhook's subscription covers (composites expanded). */
export function coveredTypes(events: string[]): string[] {
  const all = EVENT_GROUPS.flatMap((g) => g.events.map((e) => e.type));
  return all.filter((t) => events.includes(t) || events.includes(t.split('.')[0]!));
}
