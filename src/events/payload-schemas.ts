// JSON Schemas (2020-12) of the webhook payloads: the event envelope, and the booking and conversation
// objects as hookline sends them. They are published in the OpenAPI document's `webhooks` section and tests
// validate every delivered payload against them.
import { BOOKING_EVENTS, CONVERSATION_EVENTS } from '../webhooks/event-types.js';

const nullable = (type: string) => ({ type: [type, 'null'] });
const dateTime = { type: 'string', format: 'date-time' } as const;

const userObject = {
  type: 'object',
  required: ['object', 'id', 'first_name', 'last_name', 'email', 'status', 'role_name', 'timezone', 'teams'],
  properties: { object: { const: 'user' }, id: { type: 'string', pattern: '^USR-' }, email: { type: 'string' }, status: { enum: ['active', 'invited'] }, teams: { type: 'array' } },
} as const;

const CONTACT_TEXT = [
  'status', 'city', 'company_size', 'company', 'country', 'email', 'employees', 'first_name', 'job_title', 'last_name',
  'mobile_phone', 'phone', 'post_code', 'salutation', 'state', 'street_address', 'terms_of_sevice', 'timezone',
] as const;

const contactObject = {
  type: 'object',
  additionalProperties: false,
  required: ['object', 'id', 'creation_time', 'last_updated_time', 'last_interacted_time', 'owner', 'has_consent', 'custom_fields', ...CONTACT_TEXT],
  properties: {
    object: { const: 'contact' },
    id: { type: 'string', pattern: '^CTC-[A-Z0-9]{10}$' },
    creation_time: dateTime,
    last_updated_time: dateTime,
    last_interacted_time: dateTime,
    owner: { type: 'string', pattern: '^USR-' },
    has_consent: nullable('boolean'),
    custom_fields: { type: 'array' },
    ...Object.fromEntries(CONTACT_TEXT.map((k) => [k, nullable('string')])),
  },
} as const;

/** The conversation object, always expanded in webhooks (also as a booking's `conversation`). */
const conversationObject = {
  type: 'object',
  additionalProperties: false,
  required: [
    'object', 'id', 'creation_time', 'initiated_by', 'last_updated_time', 'last_interacted_time', 'status', 'contact', 'owner',
    'bot', 'website', 'audience', 'answers', 'bookings',
  ],
  properties: {
    object: { const: 'conversation' },
    id: { type: 'string', pattern: '^CVR-[A-Z0-9]{10}$' },
    creation_time: dateTime,
    initiated_by: { enum: ['bot', 'contact'] },
    last_updated_time: dateTime,
    last_interacted_time: dateTime,
    status: { enum: ['started', 'closed', 'abandoned'] },
    contact: contactObject,
    owner: userObject,
    bot: { type: 'object', additionalProperties: false, required: ['id', 'object', 'name'], properties: { id: { type: 'string', pattern: '^BOT-' }, object: { const: 'bot' }, name: { type: 'string' } } },
    website: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'object', 'name', 'url'],
      properties: { id: { type: 'string', pattern: '^WEB-' }, object: { const: 'website' }, name: { type: 'string' }, url: { type: 'string' } },
    },
    audience: { type: 'null' },
    answers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'internal_label', 'question', 'value'],
        properties: { id: { type: 'string', pattern: '^INT-' }, internal_label: nullable('string'), question: { type: 'string' }, value: { type: 'string' } },
      },
    },
    bookings: { type: 'array', items: { type: 'string', pattern: '^BKNG-' } },
  },
} as const;

export const conversationSchema = { $id: 'ConversationPayload', ...conversationObject } as const;

export const bookingSchema = {
  $id: 'BookingPayload',
  type: 'object',
  additionalProperties: false,
  required: [
    'object', 'id', 'tracking_id', 'subject', 'status', 'in_trash', 'creation_time', 'starting_time', 'last_updated_time',
    'customer_timezone', 'owner', 'duration_minutes', 'virtual_conferencing', 'location_description', 'rescheduled_booking_id',
    'cancel_reschedule_url', 'cancel_reschedule_information', 'attendees', 'form_submission', 'booking_calendar',
    'external_calendar', 'payment_information', 'custom_fields', 'conversation',
  ],
  properties: {
    object: { const: 'booking' },
    id: { type: 'string', pattern: '^BKNG-[A-Z0-9]{12}$' },
    tracking_id: { type: 'string' },
    subject: { type: 'string' },
    status: { enum: ['requested', 'scheduled', 'rescheduled', 'completed', 'canceled', 'no_show'] },
    in_trash: { type: 'boolean' },
    creation_time: dateTime,
    starting_time: dateTime,
    last_updated_time: dateTime,
    customer_timezone: nullable('string'),
    owner: { type: 'string', pattern: '^USR-' },
    duration_minutes: { type: 'integer', minimum: 1 },
    virtual_conferencing: { type: 'object', required: ['join_url'], properties: { join_url: nullable('string') } },
    location_description: nullable('string'),
    rescheduled_booking_id: nullable('string'),
    cancel_reschedule_url: { type: 'string', format: 'uri' },
    cancel_reschedule_information: {
      type: 'object',
      required: ['reason', 'actioned_by', 'user_id'],
      properties: { reason: nullable('string'), actioned_by: { enum: ['user', 'customer', null] }, user_id: nullable('string') },
    },
    attendees: { type: 'array', items: { type: 'string' } },
    form_submission: {
      type: 'object',
      required: ['name', 'email', 'phone', 'mobile_phone', 'note', 'company', 'guests', 'custom_fields'],
      properties: {
        name: { type: 'string' },
        email: { type: 'string' },
        phone: nullable('string'),
        mobile_phone: nullable('string'),
        note: nullable('string'),
        company: nullable('string'),
        guests: { type: 'array', items: { type: 'string' } },
        custom_fields: { type: 'array', items: { type: 'object', required: ['name', 'value'] } },
      },
    },
    booking_calendar: {
      type: 'object',
      required: ['object', 'id', 'name', 'subject', 'url', 'published'],
      properties: { object: { const: 'booking_calendar' }, id: { type: 'string', pattern: '^BKC-' }, name: { type: 'string' } },
    },
    external_calendar: { type: 'object', required: ['type', 'name', 'id', 'event_id'] },
    payment_information: { type: 'null' },
    custom_fields: { type: 'array' },
    conversation: { oneOf: [{ type: 'null' }, conversationObject] },
  },
} as const;

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

export const bookingEventSchema = eventSchema(BOOKING_EVENTS, bookingSchema);
export const conversationEventSchema = eventSchema(CONVERSATION_EVENTS, conversationSchema);

/** The OpenAPI 3.1 `webhooks` section: one entry per event type, each with its payload schema. */
export function openApiWebhooks(): Record<string, unknown> {
  const payloads = [...BOOKING_EVENTS.map((type) => [type, bookingSchema] as const), ...CONVERSATION_EVENTS.map((type) => [type, conversationSchema] as const)];
  return Object.fromEntries(
    payloads.map(([type, data]) => [
      type,
      {
        post: {
          summary: `${type} delivery`,
          description: 'Signed with Oncehub-Signature and the Standard Webhooks headers; answer 2xx to acknowledge.',
          requestBody: { content: { 'application/json': { schema: eventSchema([type], data) } } },
          responses: { '200': { description: 'Received' } },
        },
      },
    ]),
  );
}
