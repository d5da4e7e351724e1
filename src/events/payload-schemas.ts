// JSON Schemas (2020-12) of the webhook payloads: the event envelope and the booking object as
// hookline sends them. They are published in the OpenAPI document's `webhooks` section and tests
// validate every delivered payload against them.
import { BOOKING_EVENTS } from '../webhooks/event-types.js';

const nullable = (type: string) => ({ type: [type, 'null'] });
const dateTime = { type: 'string', format: 'date-time' } as const;

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
    conversation: { oneOf: [{ type: 'null' }, { type: 'object', properties: { object: { const: 'conversation' } }, required: ['object', 'id'] }] },
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

/** The OpenAPI 3.1 `webhooks` section: one entry per event type, each with its payload schema. */
export function openApiWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    BOOKING_EVENTS.map((type) => [
      type,
      {
        post: {
          summary: `${type} delivery`,
          description: 'Signed with Oncehub-Signature and the Standard Webhooks headers; answer 2xx to acknowledge.',
          requestBody: { content: { 'application/json': { schema: eventSchema([type], bookingSchema) } } },
          responses: { '200': { description: 'Received' } },
        },
      },
    ]),
  );
}
