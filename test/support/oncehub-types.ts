// The field types of OnceHub's published schemas (help-center `openapi/components/schemas`, 2026-08), as
// a client generated from them checks a payload: each field it declares must have the declared type
// (null only where the schema allows it), enums must hold one of their values; fields it does not
// declare pass. Written down from the schema files, apart from hookline's own schemas, so that a test
// can hold one against the other.
const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const strings = { type: 'array', items: string } as const;
const customFields = { type: 'array', items: { type: 'object', properties: { name: string } } } as const;

export const onceHubUser = {
  type: 'object',
  properties: {
    object: string,
    id: string,
    first_name: string,
    last_name: string,
    email: string,
    status: { type: 'string', enum: ['active', 'invited'] },
    role_name: { type: 'string', enum: ['Account Owner', 'Administrator', 'Member', 'Team Manager'] },
    timezone: string,
    teams: strings,
  },
} as const;

export const onceHubContact = {
  type: 'object',
  properties: {
    object: string,
    id: string,
    creation_time: dateTime,
    last_updated_time: dateTime,
    last_interacted_time: { type: ['string', 'null'], format: 'date-time' },
    owner: string,
    status: { type: ['string', 'null'], enum: ['Qualified', 'Sales qualified', 'Marketing qualified', 'Disqualified', null] },
    city: nullableString,
    company_size: nullableString,
    company: nullableString,
    country: nullableString,
    email: string,
    employees: { type: 'integer' },
    first_name: nullableString,
    has_consent: { type: 'boolean' },
    job_title: nullableString,
    last_name: nullableString,
    mobile_phone: nullableString,
    phone: nullableString,
    post_code: nullableString,
    salutation: nullableString,
    state: nullableString,
    street_address: nullableString,
    terms_of_sevice: { type: 'boolean' },
    timezone: string,
    custom_fields: customFields,
  },
} as const;

/** ConversationWebhookData: contact, owner, bot and website expanded. */
export const onceHubConversation = {
  type: 'object',
  properties: {
    id: string,
    object: string,
    creation_time: dateTime,
    initiated_by: { type: 'string', enum: ['bot', 'contact'] },
    last_updated_time: dateTime,
    last_interacted_time: dateTime,
    contact: onceHubContact,
    owner: onceHubUser,
    status: { type: 'string', enum: ['started', 'closed', 'abandoned'] },
    bot: { type: 'object', properties: { id: string, object: string, name: string } },
    website: { type: 'object', properties: { id: string, object: string, name: string, url: string } },
    audience: { oneOf: [string, { type: 'object', properties: { id: string, object: string, name: string } }, { type: 'null' }] },
    answers: { type: 'array', items: { type: 'object', properties: { id: string, internal_label: nullableString, question: string, value: string } } },
    bookings: strings,
  },
} as const;

const cancelInfo = {
  type: 'object',
  properties: { reason: string, actioned_by: { type: 'string', enum: ['user', 'customer'] }, user_id: string },
} as const;

/** BookingWebhookData (BookingBase with the webhook's owner, conversation and cancel_reschedule_url). */
export const onceHubBooking = {
  type: 'object',
  properties: {
    object: string,
    id: string,
    tracking_id: string,
    subject: string,
    status: { type: 'string', enum: ['requested', 'scheduled', 'rescheduled', 'completed', 'canceled', 'no_show'] },
    in_trash: { type: 'boolean' },
    creation_time: dateTime,
    starting_time: dateTime,
    customer_timezone: string,
    last_updated_time: dateTime,
    duration_minutes: { type: 'integer' },
    virtual_conferencing: { type: 'object', properties: { join_url: string } },
    location_description: string,
    rescheduled_booking_id: string,
    cancel_reschedule_information: { type: ['object', 'null'], properties: cancelInfo.properties },
    attendees: strings,
    form_submission: {
      type: 'object',
      properties: { name: string, email: string, phone: nullableString, mobile_phone: string, note: string, company: nullableString, guests: strings, custom_fields: customFields },
    },
    external_calendar: {
      type: 'object',
      properties: { type: { type: 'string', enum: ['google', 'exchange', 'office_365', 'icloud'] }, name: string, id: string, event_id: string },
    },
    ics_url: string,
    booking_calendar: string,
    cancel_url: string,
    reschedule_url: string,
    payment_information: { oneOf: [{ type: 'object', properties: { amount_charged: { type: 'integer' }, currency: string, transaction_id: string } }, { type: 'null' }] },
    custom_fields: customFields,
    owner: string,
    conversation: { oneOf: [onceHubConversation, { type: 'null' }] },
    cancel_reschedule_url: string,
  },
} as const;

/** BookingWebhookCancelData, for booking.canceled and booking.rescheduled: who acted is an object. */
export const onceHubCancelBooking = {
  ...onceHubBooking,
  properties: { ...onceHubBooking.properties, cancel_reschedule_information: cancelInfo },
} as const;

/**
 * The one place hookline departs from these types, on purpose: OnceHub's own sample payload sends
 * `external_calendar.type: "none"` when no external calendar holds the booking, which its enum lacks.
 */
export const DOCUMENTED_DEPARTURES = ['external_calendar.type'];

/** OnceHub's schema of an event's data, as a generated client would check it. */
export function onceHubDataSchema(type: string): object {
  if (type.startsWith('conversation.')) return onceHubConversation;
  return type === 'booking.canceled' || type === 'booking.rescheduled' ? onceHubCancelBooking : onceHubBooking;
}
