// The scheduling side's API, in OnceHub's style: users, booking calendars (creating them is a
// hookline extension: OnceHub's are made in its app), scheduling, bookings and the host's actions.
import type { FastifyInstance } from 'fastify';
import { BOOKING_EXPANDABLE, findBookingRow, listBookingRows, renderBookingsForApi } from '../../scheduling/booking-object.js';
import { host, schedule, type ScheduleInput } from '../../scheduling/bookings.js';
import { createCalendar, createUser, findCalendar, findUser, listCalendars, listUsers, toCalendarObject, toUserObject } from '../../scheduling/hosts.js';
import { notFound } from '../../errors.js';
import { accountOf } from '../auth.js';
import { equals, listQuerystring, listRequest, type ListSpec } from '../list-query.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import {
  calendarBody,
  cancelBody,
  emptyBody,
  reassignBody,
  requestRescheduleBody,
  scheduleBody,
  userBody,
} from '../scheduling-schemas.js';
import { errorResponses, listOf, notFoundResponse, paginationQuery, plainJson, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const conflictResponse = { 409: { description: 'The host is busy then', ...ref('Error') } } as const;
const STATUSES = ['requested', 'scheduled', 'rescheduled', 'completed', 'canceled', 'no_show'];

/** GET /v2/bookings: OnceHub's filters. Booking pages, master pages and event types are not hookline's: no booking has one. */
const BOOKING_LIST: ListSpec = {
  dates: { creation_time: 'created_at', last_updated_time: 'updated_at', starting_time: 'starts_at' },
  filters: {
    status: { schema: { type: 'string', enum: STATUSES, description: 'Only bookings with this status.' }, condition: equals('status') },
    owner: { schema: { type: 'string', description: 'Only bookings owned by this user.' }, condition: equals('owner_id') },
    host: { schema: { type: 'string', description: 'Only bookings hosted by this user (the owner, in hookline).' }, condition: equals('owner_id') },
    booking_calendar: { schema: { type: 'string', description: 'Only bookings made on this booking calendar.' }, condition: equals('booking_calendar_id') },
    contact: {
      schema: { type: 'string', description: 'Only bookings made in a conversation with this contact.' },
      condition: (id) => ({ sql: 'conversation_id IN (SELECT id FROM conversations WHERE contact_id = ?)', params: [id] }),
    },
    ...Object.fromEntries(
      ['booking_page', 'master_page', 'event_type'].map((name) => [
        name,
        { schema: { type: 'string', description: 'OnceHub booking pages only: no hookline booking has one, so nothing matches.' }, condition: () => ({ sql: '1 = 0', params: [] }) },
      ]),
    ),
  },
  expand: BOOKING_EXPANDABLE,
};

const expandOnly = listQuerystring({ expand: BOOKING_EXPANDABLE }).properties.expand;

export function schedulingRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const documented = (id: string, extra: object = {}) => ({ 200: ref(id), ...errorResponses, ...notFoundResponse, ...extra });
  const routeOptions = { serializerCompiler: plainJson };

  app.post<{ Body: Record<string, unknown> }>('/v2/users', {
    ...routeOptions,
    schema: { operationId: 'add-a-user', summary: 'Add a user (a host)', tags: ['Users'], body: userBody, response: documented('User', { 409: { description: 'E-mail taken', ...ref('Error') } }) },
    handler: (request) => createUser(ctx, accountOf(request), request.body),
  });
  app.get<{ Querystring: PaginationQuery }>('/v2/users', {
    ...routeOptions,
    schema: { operationId: 'list-all-users', summary: 'List users', tags: ['Users'], querystring: paginationQuery, response: { 200: listOf('User'), ...errorResponses } },
    handler: async (request, reply) => sendPage(request, reply, await listUsers(ctx, accountOf(request), pageRequest(request.query)), ctx.config.publicUrl),
  });
  app.get<{ Params: { id: string } }>('/v2/users/:id', {
    ...routeOptions,
    schema: { operationId: 'get-a-single-user', summary: 'Get a user', tags: ['Users'], params: idParams, response: documented('User') },
    handler: async (request) => toUserObject(await findUser(ctx.db, accountOf(request), request.params.id)),
  });

  const calendarList: ListSpec = { dates: { creation_time: 'created_at' } };
  app.post<{ Body: Record<string, unknown> }>('/v2/booking-calendars', {
    ...routeOptions,
    schema: { operationId: 'create-a-booking-calendar', summary: 'Create a booking calendar (hookline extension)', tags: ['Booking calendars'], body: calendarBody, response: documented('BookingCalendar') },
    handler: (request) => createCalendar(ctx, accountOf(request), request.body, ctx.publicUrl()),
  });
  app.get<{ Querystring: Record<string, unknown> }>('/v2/booking-calendars', {
    ...routeOptions,
    schema: { operationId: 'list-all-booking-calendars', summary: 'List booking calendars', tags: ['Booking calendars'], querystring: listQuerystring(calendarList), response: { 200: listOf('BookingCalendar'), ...errorResponses } },
    handler: async (request, reply) => {
      const list = listRequest(request.query, calendarList);
      return sendPage(request, reply, await listCalendars(ctx, accountOf(request), list.page, ctx.publicUrl()), ctx.config.publicUrl, list.filters);
    },
  });
  app.get<{ Params: { id: string } }>('/v2/booking-calendars/:id', {
    ...routeOptions,
    schema: { operationId: 'get-a-single-booking-calendar', summary: 'Get a booking calendar', tags: ['Booking calendars'], params: idParams, response: documented('BookingCalendar') },
    handler: async (request) => toCalendarObject(await findCalendar(ctx.db, accountOf(request), request.params.id), ctx.publicUrl()),
  });
  app.post<{ Params: { id: string }; Body: ScheduleInput }>('/v2/booking-calendars/:id/schedule', {
    ...routeOptions,
    schema: {
      operationId: 'schedule-a-booking',
      summary: 'Book a time slot on a booking calendar',
      description: 'A guest books: {start_time, timezone? (or guest_time_zone), location?, booking_form: {name, email, ...}}. Answers the booking.',
      tags: ['Bookings'],
      params: idParams,
      body: scheduleBody,
      response: documented('Booking', conflictResponse),
    },
    handler: (request) => schedule(ctx, accountOf(request), request.params.id, request.body),
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v2/bookings', {
    ...routeOptions,
    schema: { operationId: 'list-all-bookings', summary: 'List bookings, newest first', tags: ['Bookings'], querystring: listQuerystring(BOOKING_LIST), response: { 200: listOf('Booking'), ...errorResponses } },
    handler: async (request, reply) => {
      const accountId = accountOf(request);
      const list = listRequest(request.query, BOOKING_LIST);
      const page = await listBookingRows(ctx.db, accountId, list.page);
      const data = await renderBookingsForApi(ctx.db, page.data, ctx.publicUrl(), list.expand);
      return sendPage(request, reply, { ...page, data }, ctx.config.publicUrl, list.filters);
    },
  });
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v2/bookings/:id', {
    ...routeOptions,
    schema: {
      operationId: 'get-a-single-booking',
      summary: 'Get a booking',
      tags: ['Bookings'],
      params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { expand: expandOnly } },
      response: documented('Booking'),
    },
    handler: async (request) => {
      const row = await findBookingRow(ctx.db, accountOf(request), request.params.id);
      if (!row) throw notFound(`No such booking: '${request.params.id}'`, 'id');
      const { expand } = listRequest(request.query, { expand: BOOKING_EXPANDABLE });
      return (await renderBookingsForApi(ctx.db, [row], ctx.publicUrl(), expand))[0];
    },
  });

  const action = (path: string, operationId: string, summary: string, body: object, run: (accountId: string, id: string, body: Record<string, unknown>) => Promise<unknown>, extra: object = {}) =>
    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(`/v2/bookings/:id/${path}`, {
      ...routeOptions,
      schema: { operationId, summary, tags: ['Bookings'], params: idParams, body, response: documented('Booking', extra) },
      handler: (request) => run(accountOf(request), request.params.id, request.body),
    });
  action('cancel', 'cancel-a-booking', 'Cancel a booking: {cancellation_reason?}', cancelBody, (a, id, b) => host.cancel(ctx, a, id, b.cancellation_reason));
  action('request-reschedule', 'request-to-reschedule-a-booking', 'Cancel and ask the guest to reschedule: {reschedule_reason?}', requestRescheduleBody, (a, id, b) => host.requestReschedule(ctx, a, id, b.reschedule_reason));
  action('reassign', 'reassign-a-booking', 'Give the booking to another host: {new_host}', reassignBody, (a, id, b) => host.reassign(ctx, a, id, b.new_host), conflictResponse);
  action('no-show', 'mark-a-booking-as-no-show', 'Mark a completed booking as no-show', emptyBody, (a, id) => host.noShow(ctx, a, id));
  action('approve', 'approve-a-booking', 'Approve a requested booking (hookline extension)', emptyBody, (a, id) => host.approve(ctx, a, id), conflictResponse);
}
