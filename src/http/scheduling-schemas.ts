// JSON Schemas of the scheduling side's requests and responses: what each body may hold (every route
// validates its body, so junk answers 400, never 500) and the objects it answers with, as the OpenAPI
// document describes them. The objects reuse the webhook payloads' field types (events/payload-schemas.ts);
// in the REST form, expandable fields are ids unless `expand` names them.
import {
  bookingBaseProperties,
  contactProperties,
  conversationBaseProperties,
  userProperties,
} from '../events/payload-schemas.js';
import { ref } from './schemas.js';

const str = { type: 'string' } as const;
const text = (description: string) => ({ type: 'string', description }) as const;
const strings = { type: 'array', items: str } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
/** A request body: only these fields, `required` among them. */
export const body = (properties: Record<string, object>, required: string[] = []) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
/** A response object: these fields, each one present. */
const object = (id: string, properties: Record<string, object>) =>
  ({ $id: id, type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const;
const idOrObject = (prefix: string, expanded: object) => ({ anyOf: [{ type: 'string', pattern: `^${prefix}-` }, expanded] }) as const;

// ---- requests ----

const customValue = { anyOf: [str, strings], description: 'Text, or the choices of a multi-select question.' } as const;

/** The guest's booking form; keys beyond the named ones are custom fields named by them (OnceHub's mapped field names). */
export const bookingForm = (required: string[]) =>
  ({
    type: 'object',
    required,
    properties: {
      name: text("The guest's name."),
      email: text("The guest's e-mail address."),
      phone: str,
      mobile_phone: str,
      note: str,
      company: str,
      guests: { type: 'array', maxItems: 50, items: str, description: 'More attendees, by e-mail address.' },
      custom_fields: { type: 'array', maxItems: 100, items: body({ name: str, value: customValue }, ['name']) },
    },
    additionalProperties: customValue,
  }) as const;

const location = body(
  {
    type: { enum: ['physical', 'virtual', 'virtual_static', 'guest_phone', 'in_person_by_guest'] },
    value: { type: ['string', 'null'], description: "For guest_phone and in_person_by_guest: the guest's phone or address, which becomes the location description. Other types keep the calendar's location." },
  },
  ['type'],
);

/** What booking a slot takes, on a calendar, a hub, a routing form or in a conversation. */
export const slotFields = {
  start_time: { type: 'string', description: 'ISO 8601 date-time of the slot, in the future.' },
  timezone: text("The guest's IANA time zone (hookline's name)."),
  guest_time_zone: text("The guest's IANA time zone (OnceHub's name)."),
  location_description: str,
  location,
  booking_form: bookingForm(['name', 'email']),
} as const;

export const scheduleBody = body(slotFields, ['start_time', 'booking_form']);

export const userBody = body({ email: str, first_name: str, last_name: str, timezone: text('IANA time zone, default UTC.') }, ['email', 'first_name']);

export const calendarBody = body(
  {
    host: text('The user who is booked.'),
    name: str,
    subject: text('The subject of its bookings; default: the name.'),
    duration_minutes: { type: 'integer', description: '5 to 1440, default 30.' },
    requires_approval: { type: 'boolean' },
    location: str,
  },
  ['host', 'name'],
);

export const cancelBody = body({
  cancellation_reason: str,
  send_cancellation_email: { type: 'boolean', description: 'Accepted for OnceHub compatibility; hookline sends no e-mail.' },
});
export const requestRescheduleBody = body({ reschedule_reason: str });
export const reassignBody = body(
  {
    new_host: text('The user who takes the booking over.'),
    location: {
      ...body({ type: { enum: ['virtual'] }, value: { enum: ['google_meet', 'microsoft_teams', 'webex', 'gotomeeting', 'zoom'] } }, ['type', 'value']),
      description: 'Accepted for OnceHub compatibility; hookline has no video conferencing to change.',
    },
  },
  ['new_host'],
);
export const emptyBody = body({});

export const guestCancelBody = body({ reason: str });
export const guestRescheduleBody = body({ start_time: slotFields.start_time, reason: str }, ['start_time']);
export const guestRebookBody = body({ ...slotFields, booking_calendar: str, reason: str, booking_form: bookingForm([]) }, ['booking_calendar', 'start_time']);

export const websiteBody = body({ name: str, url: text('The http(s) URL of the website.') }, ['name', 'url']);
export const chatbotBody = body(
  {
    name: str,
    website: str,
    owner: text('The user who owns its conversations.'),
    questions: { type: 'array', maxItems: 50, items: body({ question: str, internal_label: { type: ['string', 'null'] } }, ['question']) },
    booking_calendar: { type: ['string', 'null'], description: "The flow's final scheduling step, if it has one." },
  },
  ['name', 'website', 'owner'],
);
const visitorId = text('The id the widget keeps for this visitor (16 to 200 visible ASCII characters): its credential.');
export const visitorBody = body({ visitor_id: visitorId, email: str, first_name: str, last_name: str, timezone: text("The visitor's IANA time zone.") }, ['visitor_id']);
export const answerBody = body({ visitor_id: visitorId, question_id: str, value: str }, ['visitor_id', 'question_id', 'value']);
export const conversationScheduleBody = body({ ...slotFields, visitor_id: visitorId, booking_form: bookingForm([]) }, ['visitor_id', 'start_time']);

export const hubBody = body(
  { name: str, mode: { enum: ['guest_choice', 'round_robin'] }, booking_calendars: { type: 'array', minItems: 1, maxItems: 100, items: str } },
  ['name', 'booking_calendars'],
);
export const hubScheduleBody = body({ ...slotFields, booking_calendar: text('guest_choice mode: the calendar the guest picked.') }, ['start_time', 'booking_form']);
export const formBody = body(
  {
    name: str,
    questions: { type: 'array', minItems: 1, maxItems: 50, items: body({ id: str, question: str }, ['question']) },
    rules: { type: 'array', maxItems: 100, items: body({ question_id: str, equals: str, booking_calendar: str }, ['question_id', 'equals', 'booking_calendar']) },
    fallback_booking_calendar: str,
  },
  ['name', 'questions', 'fallback_booking_calendar'],
);
export const submitBody = body(
  { ...slotFields, answers: { type: 'array', maxItems: 50, items: body({ question_id: str, value: str }, ['question_id', 'value']) } },
  ['answers', 'start_time', 'booking_form'],
);

// ---- responses ----

export const userSchema = object('User', userProperties);

export const calendarSchema = object('BookingCalendar', {
  object: { const: 'booking_calendar' },
  id: { type: 'string', pattern: '^BKC-' },
  host: { type: 'string', pattern: '^USR-' },
  name: str,
  subject: str,
  url: { type: 'string', format: 'uri' },
  published: { type: 'boolean' },
  duration_minutes: { type: 'integer' },
  requires_approval: { type: 'boolean', description: 'hookline extension.' },
  creation_time: dateTime,
});

export const contactSchema = object('Contact', contactProperties);

export const conversationSchema = object('Conversation', {
  ...conversationBaseProperties,
  contact: idOrObject('CTC', ref('Contact')),
  owner: idOrObject('USR', ref('User')),
  bot: idOrObject('BOT', { type: 'object', required: ['id', 'object', 'name'], properties: { id: str, object: { const: 'bot' }, name: str } }),
  website: idOrObject('WEB', { type: 'object', required: ['id', 'object', 'name', 'url'], properties: { id: str, object: { const: 'website' }, name: str, url: str } }),
});

export const bookingSchema = object('Booking', {
  ...bookingBaseProperties,
  booking_calendar: idOrObject('BKC', ref('BookingCalendar')),
  owner: idOrObject('USR', ref('User')),
  conversation: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^CVR-' }, ref('Conversation')] },
});

export const websiteSchema = object('Website', {
  object: { const: 'website' },
  id: { type: 'string', pattern: '^WEB-' },
  name: str,
  url: str,
  creation_time: dateTime,
});

export const botSchema = object('Bot', {
  object: { const: 'bot' },
  id: { type: 'string', pattern: '^BOT-' },
  name: str,
  website: str,
  owner: str,
  questions: { type: 'array', items: { type: 'object', required: ['id', 'question', 'internal_label'], properties: { id: str, question: str, internal_label: { type: ['string', 'null'] } } } },
  booking_calendar: { type: ['string', 'null'] },
  creation_time: dateTime,
});

export const hubSchema = object('BookingHub', {
  object: { const: 'booking_hub' },
  id: { type: 'string', pattern: '^HUB-' },
  name: str,
  mode: { enum: ['guest_choice', 'round_robin'] },
  booking_calendars: strings,
  creation_time: dateTime,
});

export const formSchema = object('RoutingForm', {
  object: { const: 'routing_form' },
  id: { type: 'string', pattern: '^RTF-' },
  name: str,
  questions: { type: 'array', items: { type: 'object', required: ['id', 'question'], properties: { id: str, question: str } } },
  rules: { type: 'array', items: { type: 'object', required: ['question_id', 'equals', 'booking_calendar'], properties: { question_id: str, equals: str, booking_calendar: str } } },
  fallback_booking_calendar: str,
  creation_time: dateTime,
});

export const routingResultSchema = object('RoutingResult', {
  object: { const: 'routing_result' },
  routing_form: str,
  booking_calendar: str,
  booking: ref('Booking'),
});

export const SCHEDULING_SCHEMAS = [
  userSchema, calendarSchema, contactSchema, conversationSchema, bookingSchema, websiteSchema, botSchema, hubSchema, formSchema, routingResultSchema,
];
