// Checks event bodies as receivers would: against hookline's own payload schemas (strict: every field
// present, exactly typed) and against OnceHub's published field types (what a generated client
// checks). Every test server runs it over every event recorded in its database when it stops, so every
// booking and conversation event the suite emits is checked.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { eventSchemaOf } from '../../src/events/payload-schemas.js';
import { EVENT_TYPES } from '../../src/webhooks/event-types.js';
import { onceHubDataSchema } from './oncehub-types.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);

const ours = new Map<string, ValidateFunction>(EVENT_TYPES.map((type) => [type, ajv.compile(eventSchemaOf(type))]));
const theirs = new Map<string, ValidateFunction>(
  EVENT_TYPES.map((type) => [type, ajv.compile(allowNoneCalendar(onceHubDataSchema(type)))]),
);

/** OnceHub's types with its sample's "none" external calendar allowed (the one documented departure). */
function allowNoneCalendar(schema: any): object {
  if (!schema.properties?.external_calendar) return schema;
  const calendar = schema.properties.external_calendar;
  return {
    ...schema,
    properties: {
      ...schema.properties,
      external_calendar: { ...calendar, properties: { ...calendar.properties, type: { ...calendar.properties.type, enum: [...calendar.properties.type.enum, 'none'] } } },
    },
  };
}

/** The problems of one event body, or [] when it passes both (bodies that are not booking or conversation events are skipped). */
export function payloadProblems(body: string): string[] {
  const event = JSON.parse(body) as { id?: string; type?: string; data?: { object?: string } };
  if (event.data?.object !== 'booking' && event.data?.object !== 'conversation') return [];
  const own = ours.get(event.type ?? '');
  const generated = theirs.get(event.type ?? '');
  if (!own || !generated) return [`${event.type} ${event.id}: not an event type`];
  const label = `${event.type} ${event.id}`;
  const problems: string[] = [];
  if (!own(event)) problems.push(`${label}: hookline's schema: ${ajv.errorsText(own.errors)}`);
  if (!generated(event.data)) problems.push(`${label}: OnceHub's types: ${ajv.errorsText(generated.errors)}`);
  return problems;
}

/** Throws with every problem found in these bodies. */
export function assertValidPayloads(bodies: string[]): void {
  const problems = bodies.flatMap(payloadProblems);
  if (problems.length > 0) throw new Error(`${problems.length} event payloads break the schemas:\n${problems.slice(0, 10).join('\n')}`);
}
