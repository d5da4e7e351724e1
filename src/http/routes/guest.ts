// The guest's side of a booking, reached through the booking's cancel_reschedule_url: no API key,
// the unguessable token in the link is the credential.
import type { FastifyInstance } from 'fastify';
import { findCalendar } from '../../scheduling/hosts.js';
import { renderBooking, type BookingRow } from '../../scheduling/booking-object.js';
import { guest, type ScheduleInput } from '../../scheduling/bookings.js';
import { notFound } from '../../errors.js';
import { errorResponses, notFoundResponse } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } as const;
const open = { type: 'object', additionalProperties: true } as const;
const schema = (operationId: string, summary: string, body = true) => ({
  operationId,
  summary,
  tags: ['Guest links'],
  security: [],
  params: tokenParams,
  ...(body && { body: open }),
  response: { 200: open, ...errorResponses, ...notFoundResponse },
});

export function guestRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const config = { public: true };
  app.get<{ Params: { token: string } }>('/v2/guest/bookings/:token', {
    config,
    schema: schema('get-a-guest-booking', 'The booking behind a guest link (hookline extension)', false),
    handler: async (request) => {
      const row = await ctx.db.get<BookingRow>('SELECT * FROM bookings WHERE guest_token = ?', [request.params.token]);
      if (!row) throw notFound("No such booking: 'guest link'", 'token');
      return renderBooking(row, await findCalendar(ctx.db, row.account_id, row.booking_calendar_id), ctx.publicUrl(), { expand: false });
    },
  });
  app.post<{ Params: { token: string }; Body: { reason?: unknown } }>('/v2/guest/bookings/:token/cancel', {
    config,
    schema: schema('guest-cancel-a-booking', 'The guest cancels: {reason?}'),
    handler: (request) => guest.cancel(ctx, request.params.token, request.body.reason),
  });
  app.post<{ Params: { token: string }; Body: { start_time?: unknown } }>('/v2/guest/bookings/:token/reschedule', {
    config,
    schema: schema('guest-reschedule-a-booking', 'The guest picks another time on the same booking calendar: {start_time}'),
    handler: (request) => guest.reschedule(ctx, request.params.token, request.body.start_time),
  });
  app.post<{ Params: { token: string }; Body: ScheduleInput & { booking_calendar?: unknown; reason?: unknown } }>('/v2/guest/bookings/:token/rebook', {
    config,
    schema: schema('guest-rebook-a-booking', 'The guest cancels and books on another booking calendar: {booking_calendar, start_time, reason?}; answers the new booking'),
    handler: (request) => guest.rebook(ctx, request.params.token, request.body),
  });
}
