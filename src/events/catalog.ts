// The event catalog (GET /v2/event-types, and the web page's Event types): every event type with a
// description, the JSON Schema of its payload and an example payload. The types, schemas and sample
// payloads are the ones hookline delivers, taken from where they are defined (webhooks/event-types.ts,
// the OpenAPI `webhooks` section of payload-schemas.ts, samples.ts); only the descriptions live here.
// A test send (POST /v2/webhooks/{id}/test) sends the catalog's example of its type.
import { newId } from '../ids.js';
import { EVENT_TYPES, kindOf, type EventType } from '../webhooks/event-types.js';
import { openApiWebhooks } from './payload-schemas.js';
import { renderEvent } from './publish.js';
import { sampleData } from './samples.js';

const DESCRIPTIONS: Record<EventType, string> = {
  'booking.scheduled':
    'A booking was made: a guest booked a slot on a booking calendar (directly, through a booking hub or a routing form, or in the scheduling step of a chatbot), or a host approved a booking that waited for approval.',
  'booking.rescheduled': 'The guest moved a booking to another time on the same booking calendar, also after the host asked for a new time; the payload shows it at its new time.',
  'booking.reassigned': 'A host handed a booking over to another host, who is its owner now.',
  'booking.canceled_then_rescheduled':
    'The guest canceled a booking and booked again on another booking calendar; a booking.scheduled event for the new booking follows, and rescheduled_booking_id links the two.',
  'booking.canceled_reschedule_requested': 'A host canceled a booking and asked the guest to book another time.',
  'booking.canceled': 'A booking was canceled, by the guest or by a host: cancel_reschedule_information.actioned_by says which.',
  'booking.completed': "A booking's end time passed. A durable timer sends it once, also for bookings that ended while hookline was down.",
  'booking.no_show': 'A host marked a completed booking as a no-show: the guest did not come.',
  'conversation.started': 'A visitor started a conversation with a chatbot; the payload expands its contact, owner, bot and website.',
  'conversation.closed':
    'A conversation came to its end: the visitor answered the last question of the flow, booked in its scheduling step (bookings lists the booking), or started a conversation with another chatbot.',
  'conversation.abandoned': 'A visitor left a conversation unfinished: nothing happened in it for HOOKLINE_CONVERSATION_IDLE_MINUTES (10 by default) minutes.',
  'conversation.reached_out':
    'A chatbot reached out first to a website visitor (initiated_by is "bot"); conversation.started follows when the visitor answers. Beyond the 11 types of OnceHub\'s webhook documentation: OnceHub\'s Zapier integration and Pipedream know it.',
};

export interface CatalogEntry {
  object: 'event_type';
  type: EventType;
  kind: string;
  description: string;
  /** JSON Schema (2020-12) of the whole delivered event, envelope and data. */
  schema: Record<string, unknown>;
  /** An event of this type as a delivery would carry it. */
  example: Record<string, unknown>;
}

type WebhookDoc = { post: { requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } } } };

/** Each type's payload schema, exactly as the OpenAPI document publishes it. */
function payloadSchemas(): Map<string, Record<string, unknown>> {
  const doc = openApiWebhooks() as Record<string, WebhookDoc | undefined>;
  return new Map(Object.entries(doc).map(([type, entry]) => [type, entry!.post.requestBody.content['application/json'].schema]));
}
const SCHEMAS = payloadSchemas();

/** The data of a type's example: what a test send sends. */
export function exampleData(type: EventType, now: number): Record<string, unknown> {
  return sampleData(type, now);
}

export function catalogEntry(type: EventType, now: number): CatalogEntry {
  const schema = SCHEMAS.get(type);
  if (schema === undefined) throw new Error(`no payload schema for ${type} in payload-schemas.ts`);
  return {
    object: 'event_type',
    type,
    kind: kindOf(type),
    description: DESCRIPTIONS[type],
    schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema },
    example: JSON.parse(renderEvent(newId('EVNT'), type, now, exampleData(type, now))) as Record<string, unknown>,
  };
}

export function eventCatalog(now: number): CatalogEntry[] {
  return EVENT_TYPES.map((type) => catalogEntry(type, now));
}
