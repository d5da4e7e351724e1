// JSON Schemas (2020-12) of the webhook payloads: the event envelope, and the booking and conversation
// objects as hookline sends them. They are published in the OpenAPI document's `webhooks` section and
// tests validate every delivered payload against them.
//
// The rule for values (the same everywhere): every field is present and typed as OnceHub's published
// schema types it, so that clients generated from OnceHub's OpenAPI accept every payload.
// - A string without a value is "" (as OnceHub's own sample payload sends it), also where OnceHub's
//   schema would allow null; null stands only where the schema allows it and "" is no valid value
//   (the contact's `status` enum) or for an absent object (`cancel_reschedule_information`,
//   `conversation`, `payment_information`, `audience`).
// - Numbers and booleans without a value are 0 and false (a contact's `employees`, `has_consent`).
// - Lists without items are [].
// One exception, where OnceHub's sample contradicts its schema: `external_calendar.type` is "none"
// when no external calendar holds the booking (the schema's enum lists only google, exchange,
// office_365 and icloud); hookline follows the sample.
import { BOOKING_EVENTS, CONVERSATION_EVENTS } from '../webhooks/event-types.js';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const strings = { type: 'array', items: str } as const;
const idOf = (prefix: string) => ({ type: 'string', pattern: `^${prefix}-[A-Z0-9]+$` }) as const;
/** A strict object: exactly these fields, every one present. */
const exactly = (properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const;
const customFields = { type: 'array', items: exactly({ name: str, value: {} }) } as const;

export const userProperties = {
  object: { const: 'user' },
  id: idOf('USR'),
  first_name: str,
  last_name: str,
  email: str,
  status: { enum: ['active', 'invited'] },
  role_name: { enum: ['Account Owner', 'Administrator', 'Member', 'Team Manager'] },
  timezone: str,
  teams: strings,
} as const;

/** The contact's text fields that OnceHub's schema lets be null (hookline sends "" for them when empty). */
export const CONTACT_NULLABLE_TEXT = [
  'city', 'company_size', 'company', 'country', 'first_name', 'job_title', 'last_name', 'mobile_phone', 'phone', 'post_code',
  'salutation', 'state', 'street_address',
] as const;

export const contactProperties = {
  object: { const: 'contact' },
  id: idOf('CTC'),
  creation_time: dateTime,
  last_updated_time: dateTime,
  last_interacted_time: { type: ['string', 'null'], format: 'date-time' },
  owner: idOf('USR'),
  status: { enum: ['Qualified', 'Sales qualified', 'Marketing qualified', 'Disqualified', null] },
  email: str,
  employees: { type: 'integer', minimum: 0 },
  has_consent: { type: 'boolean' },
  terms_of_sevice: { type: 'boolean' }, // sic: OnceHub's field name
  timezone: str,
  custom_fields: customFields,
  ...Object.fromEntries(CONTACT_NULLABLE_TEXT.map((k) => [k, nullableStr])),
} as const;

const botObject = exactly({ id: idOf('BOT'), object: { const: 'bot' }, name: str });
const websiteObject = exactly({ id: idOf('WEB'), object: { const: 'website' }, name: str, url: { type: 'string', format: 'uri' } });

/** The conversation's fields but the four that webhooks expand (contact, owner, bot, website). */
export const conversationBaseProperties = {
  object: { const: 'conversation' },
  id: idOf('CVR'),
  creation_time: dateTime,
  initiated_by: { enum: ['bot', 'contact'] },
  last_updated_time: dateTime,
  last_interacted_time: dateTime,
  status: { enum: ['started', 'closed', 'abandoned'] },
  audience: { oneOf: [{ type: 'null' }, idOf('AUD'), exactly({ id: idOf('AUD'), object: { const: 'audience' }, name: str })], description: 'hookline has no audiences: always null.' },
  answers: { type: 'array', items: exactly({ id: idOf('INT'), internal_label: nullableStr, question: str, value: str }) },
  bookings: { type: 'array', items: idOf('BKNG') },
} as const;

/** The conversation object as webhooks carry it (also as a booking's `conversation`): contact, owner, bot and website expanded. */
const conversationObject = exactly({
  ...conversationBaseProperties,
  contact: exactly(contactProperties),
  owner: exactly(userProperties),
  bot: botObject,
  website: websiteObject,
});

export const conversationSchema = { $id: 'ConversationPayload', ...conversationObject } as const;

const cancelRescheduleInformation = exactly({ reason: str, actioned_by: { enum: ['user', 'customer'] }, user_id: str });

/** The booking's fields but `owner` and `conversation`, which the REST API may give as ids. */
export const bookingBaseProperties = {
  object: { const: 'booking' },
  id: { type: 'string', pattern: '^BKNG-[A-Z0-9]{12}$' },
  tracking_id: str,
  subject: str,
  status: { enum: ['requested', 'scheduled', 'rescheduled', 'completed', 'canceled', 'no_show'] },
  in_trash: { type: 'boolean' },
  creation_time: dateTime,
  starting_time: dateTime,
  customer_timezone: { type: 'string', description: 'IANA time zone the guest booked in; "" when not given.' },
  last_updated_time: dateTime,
  duration_minutes: { type: 'integer', minimum: 1 },
  virtual_conferencing: exactly({ join_url: str }),
  location_description: str,
  rescheduled_booking_id: { type: 'string', pattern: '^(BKNG-[A-Z0-9]{12})?$', description: 'The booking this one replaced; "" when none.' },
  cancel_reschedule_url: { type: 'string', format: 'uri', description: "The guest's page: see the booking, cancel it, pick a new time." },
  cancel_reschedule_information: { oneOf: [{ type: 'null' }, cancelRescheduleInformation], description: 'Who canceled or rescheduled, and why; null until someone did.' },
  attendees: strings,
  form_submission: exactly({
    name: str,
    email: str,
    phone: nullableStr,
    mobile_phone: str,
    note: str,
    company: nullableStr,
    guests: strings,
    custom_fields: customFields,
  }),
  external_calendar: exactly({ type: { enum: ['google', 'exchange', 'office_365', 'icloud', 'none'] }, name: str, id: str, event_id: str }),
  ics_url: { type: 'string', format: 'uri', description: 'Downloads the booking as an iCalendar (.ics) file; public.' },
  booking_calendar: idOf('BKC'),
  cancel_url: { type: 'string', format: 'uri', description: "The guest's page to cancel the booking." },
  reschedule_url: { type: 'string', format: 'uri', description: "The guest's page to pick a new time." },
  payment_information: { oneOf: [{ type: 'null' }, exactly({ amount_charged: { type: 'integer' }, currency: str, transaction_id: str })] },
  custom_fields: customFields,
} as const;

const bookingObject = exactly({ ...bookingBaseProperties, owner: idOf('USR'), conversation: { oneOf: [{ type: 'null' }, conversationObject] } });

export const bookingSchema = { $id: 'BookingPayload', ...bookingObject } as const;

/**
 * The events whose schema OnceHub types with BookingWebhookCancelData: who canceled or rescheduled is
 * always an object. (hookline also fills it for booking.canceled_then_rescheduled and
 * booking.canceled_reschedule_requested, which OnceHub's schema types as object or null.)
 */
const ACTIONED: readonly string[] = ['booking.rescheduled', 'booking.canceled'];

/** The data schema of one event type (without an $id, to embed). */
export function dataSchemaOf(type: string): object {
  if (!type.startsWith('booking.')) return conversationObject;
  if (!ACTIONED.includes(type)) return bookingObject;
  return { ...bookingObject, properties: { ...bookingObject.properties, cancel_reschedule_information: cancelRescheduleInformation } };
}

export function eventSchema(types: readonly string[], dataSchema: object) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'object', 'creation_time', 'type', 'api_version', 'data'],
    properties: {
      id: { type: 'string', pattern: '^EVNT-[A-Z0-9]{10}$' },
      object: { const: 'event' },
      creation_time: dateTime,
      type: { enum: types },
      api_version: { const: 'v2' },
      data: dataSchema,
    },
  };
}

/** The whole event of one type as delivered: the envelope, with the data schema its type calls for. */
export const eventSchemaOf = (type: string) => eventSchema([type], dataSchemaOf(type));

export const bookingEventSchema = { oneOf: BOOKING_EVENTS.map(eventSchemaOf) };
export const conversationEventSchema = eventSchema(CONVERSATION_EVENTS, conversationObject);

/** The OpenAPI 3.1 `webhooks` section: one entry per event type, each with its payload schema. */
export function openApiWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    [...BOOKING_EVENTS, ...CONVERSATION_EVENTS].map((type) => [
      type,
      {
        post: {
          summary: `${type} delivery`,
          description: 'Signed with Oncehub-Signature and the Standard Webhooks headers; answer 2xx to acknowledge.',
          requestBody: { content: { 'application/json': { schema: eventSchemaOf(type) } } },
          responses: { '200': { description: 'Received' } },
        },
      },
    ]),
  );
}
