// The guest's side of a booking as a JSON API (hookline extension), beside the guest's pages
// (http/guest-pages/): no API key, the unguessable token in the booking's links is the credential.
import type { FastifyInstance } from 'fastify';
import { renderBooking, type BookingRow } from '../../scheduling/booking-object.js';
import { guest, type RebookInput } from '../../scheduling/bookings.js';
import { notFound } from '../../errors.js';
import { guestCancelBody, guestRebookBody, guestRescheduleBody } from '../scheduling-schemas.js';
import { errorResponses, notFoundResponse, plainJson, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', description: "The token in the booking's cancel_reschedule_url." } } } as const;
const schema = (operationId: string, summary: string, body?: object) => ({
  operationId,
  summary,
  tags: ['Guest links'],
  security: [],
  params: tokenParams,
  ...(body && { body }),
  response: { 200: ref('Booking'), ...errorResponses, ...notFoundResponse, 409: { description: 'The host is busy then', ...ref('Error') } },
});

export function guestRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const options = { config: { public: true }, serializerCompiler: plainJson };
  app.get<{ Params: { token: string } }>('/v2/guest/bookings/:token', {
    ...options,
    schema: schema('get-a-guest-booking', 'The booking behind a guest link (hookline extension)'),
    handler: async (request) => {
      const row = await ctx.db.get<BookingRow>('SELECT * FROM bookings WHERE guest_token = ?', [request.params.token]);
      if (!row) throw notFound("No such booking: 'guest link'", 'token');
      return renderBooking(row, ctx.publicUrl());
    },
  });
  app.post<{ Params: { token: string }; Body: { reason?: unknown } }>('/v2/guest/bookings/:token/cancel', {
    ...options,
    schema: schema('guest-cancel-a-booking', 'The guest cancels: {reason?}', guestCancelBody),
    handler: (request) => guest.cancel(ctx, request.params.token, request.body.reason),
  });
  app.post<{ Params: { token: string }; Body: { start_time?: unknown; reason?: unknown } }>('/v2/guest/bookings/:token/reschedule', {
    ...options,
    schema: schema(
      'guest-reschedule-a-booking',
      'The guest picks another time on the same booking calendar, also after the host asked for one: {start_time, reason?}',
      guestRescheduleBody,
    ),
    handler: (request) => guest.reschedule(ctx, request.params.token, request.body.start_time, request.body.reason),
  });
  app.post<{ Params: { token: string }; Body: RebookInput }>('/v2/guest/bookings/:token/rebook', {
    ...options,
    schema: schema('guest-rebook-a-booking', 'The guest cancels and books on another booking calendar: {booking_calendar, start_time, reason?}; answers the new booking', guestRebookBody),
    handler: (request) => guest.rebook(ctx, request.params.token, request.body),
  });
}
