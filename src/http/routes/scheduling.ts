// The scheduling side's API, in OnceHub's style: users, booking calendars (creating them is a
// hookline extension: OnceHub's are made in its app), scheduling, bookings and the host's actions.
import type { FastifyInstance } from 'fastify';
import { findBookingRow, listBookingRows, renderBooking } from '../../scheduling/booking-object.js';
import { host, schedule, type ScheduleInput } from '../../scheduling/bookings.js';
import { createCalendar, createUser, findCalendar, findUser, listCalendars, listUsers, toCalendarObject, toUserObject, type CalendarRow } from '../../scheduling/hosts.js';
import { notFound } from '../../errors.js';
import { accountOf } from '../auth.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import { errorResponses, notFoundResponse, paginationQuery } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const open = (title: string) => ({ type: 'object', additionalProperties: true, description: title }) as const;
const list = (title: string) =>
  ({ type: 'object', required: ['object', 'data', 'has_more'], properties: { object: { type: 'string' }, data: { type: 'array', items: open(title) }, has_more: { type: 'boolean' } } }) as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const anyBody = { type: 'object', additionalProperties: true } as const;

export function schedulingRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const ok = (title: string, tags: string[], extra: object = {}) => ({ tags, response: { 200: open(title), ...errorResponses, ...notFoundResponse }, ...extra });

  app.post<{ Body: Record<string, unknown> }>('/v2/users', {
    schema: { operationId: 'add-a-user', summary: 'Add a user (a host)', body: anyBody, ...ok('User', ['Users']) },
    handler: (request) => createUser(ctx, accountOf(request), request.body),
  });
  app.get<{ Querystring: PaginationQuery }>('/v2/users', {
    schema: { operationId: 'list-all-users', summary: 'List users', tags: ['Users'], querystring: paginationQuery, response: { 200: list('User'), ...errorResponses } },
    handler: async (request, reply) => sendPage(request, reply, await listUsers(ctx, accountOf(request), pageRequest(request.query)), ctx.config.publicUrl),
  });
  app.get<{ Params: { id: string } }>('/v2/users/:id', {
    schema: { operationId: 'get-a-single-user', summary: 'Get a user', params: idParams, ...ok('User', ['Users']) },
    handler: async (request) => toUserObject(await findUser(ctx.db, accountOf(request), request.params.id)),
  });

  app.post<{ Body: Record<string, unknown> }>('/v2/booking-calendars', {
    schema: { operationId: 'create-a-booking-calendar', summary: 'Create a booking calendar (hookline extension)', body: anyBody, ...ok('BookingCalendar', ['Booking calendars']) },
    handler: (request) => createCalendar(ctx, accountOf(request), request.body, ctx.publicUrl()),
  });
  app.get<{ Querystring: PaginationQuery }>('/v2/booking-calendars', {
    schema: { operationId: 'list-all-booking-calendars', summary: 'List booking calendars', tags: ['Booking calendars'], querystring: paginationQuery, response: { 200: list('BookingCalendar'), ...errorResponses } },
    handler: async (request, reply) => sendPage(request, reply, await listCalendars(ctx, accountOf(request), pageRequest(request.query), ctx.publicUrl()), ctx.config.publicUrl),
  });
  app.get<{ Params: { id: string } }>('/v2/booking-calendars/:id', {
    schema: { operationId: 'get-a-single-booking-calendar', summary: 'Get a booking calendar', params: idParams, ...ok('BookingCalendar', ['Booking calendars']) },
    handler: async (request) => toCalendarObject(await findCalendar(ctx.db, accountOf(request), request.params.id), ctx.publicUrl()),
  });
  app.post<{ Params: { id: string }; Body: ScheduleInput }>('/v2/booking-calendars/:id/schedule', {
    schema: {
      operationId: 'schedule-a-booking',
      summary: 'Book a time slot on a booking calendar: {start_time, timezone?, location_description?, booking_form: {name, email, ...}}',
      params: idParams,
      body: anyBody,
      ...ok('Booking', ['Bookings'], { response: { 200: open('Booking'), ...errorResponses, ...notFoundResponse, 409: { description: 'The host is busy then', type: 'object', additionalProperties: true } } }),
    },
    handler: (request) => schedule(ctx, accountOf(request), request.params.id, request.body),
  });

  app.get<{ Querystring: PaginationQuery }>('/v2/bookings', {
    schema: { operationId: 'list-all-bookings', summary: 'List bookings, newest first', tags: ['Bookings'], querystring: paginationQuery, response: { 200: list('Booking'), ...errorResponses } },
    handler: async (request, reply) => {
      const accountId = accountOf(request);
      const page = await listBookingRows(ctx.db, accountId, pageRequest(request.query));
      const calendars = new Map<string, Promise<CalendarRow>>(); // a page's bookings share few calendars: read each once
      const calendarOf = (id: string) => calendars.get(id) ?? calendars.set(id, findCalendar(ctx.db, accountId, id)).get(id)!;
      const data = await Promise.all(page.data.map(async (b) => renderBooking(b, await calendarOf(b.booking_calendar_id), ctx.publicUrl(), { expand: false })));
      return sendPage(request, reply, { ...page, data }, ctx.config.publicUrl);
    },
  });
  app.get<{ Params: { id: string } }>('/v2/bookings/:id', {
    schema: { operationId: 'get-a-single-booking', summary: 'Get a booking', params: idParams, ...ok('Booking', ['Bookings']) },
    handler: async (request) => {
      const accountId = accountOf(request);
      const row = await findBookingRow(ctx.db, accountId, request.params.id);
      if (!row) throw notFound(`No such booking: '${request.params.id}'`, 'id');
      return renderBooking(row, await findCalendar(ctx.db, accountId, row.booking_calendar_id), ctx.publicUrl(), { expand: false });
    },
  });

  const action = (path: string, operationId: string, summary: string, run: (accountId: string, id: string, body: Record<string, unknown>) => Promise<unknown>) =>
    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(`/v2/bookings/:id/${path}`, {
      schema: { operationId, summary, params: idParams, body: anyBody, ...ok('Booking', ['Bookings']) },
      handler: (request) => run(accountOf(request), request.params.id, request.body),
    });
  action('cancel', 'cancel-a-booking', 'Cancel a booking: {cancellation_reason?}', (a, id, b) => host.cancel(ctx, a, id, b.cancellation_reason));
  action('request-reschedule', 'request-to-reschedule-a-booking', 'Cancel and ask the guest to reschedule: {reschedule_reason?}', (a, id, b) => host.requestReschedule(ctx, a, id, b.reschedule_reason));
  action('reassign', 'reassign-a-booking', 'Give the booking to another host: {new_host}', (a, id, b) => host.reassign(ctx, a, id, b.new_host));
  action('no-show', 'mark-a-booking-as-no-show', 'Mark a completed booking as no-show', (a, id) => host.noShow(ctx, a, id));
  action('approve', 'approve-a-booking', 'Approve a requested booking (hookline extension)', (a, id) => host.approve(ctx, a, id));
}
