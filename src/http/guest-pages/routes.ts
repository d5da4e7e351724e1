// The pages behind a booking's links, for the guest in a browser (no API key: the unguessable token
// in the link is the credential), served under HOOKLINE_PUBLIC_URL:
//   GET  /m/<token>              the booking: when, with whom, its status; links to act   (cancel_reschedule_url)
//   GET  /m/<token>/cancel       a form with an optional reason                          (cancel_url)
//   POST /m/<token>/cancel       cancels: booking.canceled, actioned by the customer
//   GET  /m/<token>/reschedule   a date and time field, the guest's time zone, a reason   (reschedule_url)
//   POST /m/<token>/reschedule   moves it: booking.rescheduled (also after the host asked for a new time)
//   GET  /ics/<ics token>.ics    the booking as an iCalendar file                         (ics_url)
// Forms post as application/x-www-form-urlencoded, which only these routes accept. An action answers
// with a redirect to the booking's page (so reloading it does not act twice), or the form again with
// the reason it was refused. The request log shows these URLs with the token redacted.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.js';
import { HooklineError } from '../../errors.js';
import { bookingLinks, type BookingRow } from '../../scheduling/booking-object.js';
import { guest } from '../../scheduling/bookings.js';
import { findUser } from '../../scheduling/hosts.js';
import { bookingIcs, icsFileName } from '../../scheduling/ics.js';
import { bookingPage, cancelPage, notFoundPage, reschedulePage, STYLE_HASH, type BookingView } from './html.js';
import { readableTime, utcToWallTime, wallTimeToUtc } from './zoned-time.js';

const STATUS_TEXT: Record<BookingRow['status'], string> = {
  requested: 'Waiting for the host to approve it',
  scheduled: 'Scheduled',
  rescheduled: 'Scheduled (rescheduled)',
  completed: 'Completed',
  no_show: 'Completed (marked as no-show)',
  canceled: 'Canceled',
};
const ACTIVE: BookingRow['status'][] = ['scheduled', 'rescheduled'];
const DONE: Record<string, string> = { canceled: 'Your booking is canceled.', rescheduled: 'Your booking is moved to the new time.' };
const ZONES = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];

/** The zone when it is one Intl knows (aliases included), else undefined. */
function validZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }) && zone;
  } catch {
    return undefined;
  }
}

const CSP = `default-src 'none'; style-src '${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export function guestPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const config = { public: true };
  const schema = { hide: true };

  const find = (token: string) => ctx.db.get<BookingRow>('SELECT * FROM bookings WHERE guest_token = ?', [token]);
  const zoneOf = (b: BookingRow) => b.customer_timezone ?? 'UTC';

  async function view(b: BookingRow): Promise<BookingView> {
    const owner = await findUser(ctx.db, b.account_id, b.owner_id);
    const form = JSON.parse(b.form_submission) as { name: string };
    const rescheduleRequested = b.status === 'canceled' && b.reschedule_requested === 1;
    return {
      subject: b.subject,
      hostName: `${owner.first_name} ${owner.last_name}`.trim(),
      guestName: form.name,
      when: readableTime(b.starts_at, zoneOf(b)),
      durationMinutes: b.duration_minutes,
      location: b.location_description ?? '',
      statusText: rescheduleRequested ? 'Canceled: pick a new time' : STATUS_TEXT[b.status],
      canCancel: ACTIVE.includes(b.status),
      canReschedule: ACTIVE.includes(b.status) || rescheduleRequested,
      rescheduleRequested: rescheduleRequested ? { reason: b.cancel_reason ?? '' } : null,
      links: bookingLinks(ctx.publicUrl(), b),
    };
  }

  const html = (reply: FastifyReply, status: number, page: string) =>
    reply
      .status(status)
      .header('Content-Security-Policy', CSP)
      .header('Referrer-Policy', 'no-referrer')
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(page);
  const statusOf = (err: HooklineError) => ({ invalid_request: 400, not_found: 404, conflict: 409, authentication: 401, rate_limit: 429 })[err.kind];

  app.register(async (pages) => {
    pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    type Token = { Params: { token: string } };
    type Form = Token & { Body: Record<string, string> };

    pages.get<Token & { Querystring: { done?: string } }>('/m/:token', { config, schema }, async (request, reply) => {
      const b = await find(request.params.token);
      if (!b) return html(reply, 404, notFoundPage());
      return html(reply, 200, bookingPage(await view(b), DONE[request.query.done ?? '']));
    });

    pages.get<Token>('/m/:token/cancel', { config, schema }, async (request, reply) => {
      const b = await find(request.params.token);
      if (!b) return html(reply, 404, notFoundPage());
      const v = await view(b);
      return v.canCancel ? html(reply, 200, cancelPage(v)) : html(reply, 200, bookingPage(v, 'This booking cannot be canceled any more.'));
    });
    pages.post<Form>('/m/:token/cancel', { config, schema }, async (request, reply) => {
      const reason = String(request.body?.reason ?? '').slice(0, 2000);
      try {
        await guest.cancel(ctx, request.params.token, reason);
        return reply.redirect(`${bookingLinks(ctx.publicUrl(), { guest_token: request.params.token, ics_token: '' }).page}?done=canceled`, 303);
      } catch (err) {
        if (!(err instanceof HooklineError)) throw err;
        const b = await find(request.params.token);
        return b ? html(reply, statusOf(err), cancelPage(await view(b), reason, err.message)) : html(reply, 404, notFoundPage());
      }
    });

    const rescheduleForm = (b: BookingRow, given: Partial<{ value: string; zone: string; reason: string }> = {}) => {
      const zone = given.zone ?? zoneOf(b);
      const zones = ZONES.includes(zone) ? ZONES : [zone, ...ZONES];
      return { value: given.value ?? utcToWallTime(b.starts_at, zone), min: utcToWallTime(ctx.clock.now(), zone), zone, zones, reason: given.reason ?? '' };
    };
    pages.get<Token>('/m/:token/reschedule', { config, schema }, async (request, reply) => {
      const b = await find(request.params.token);
      if (!b) return html(reply, 404, notFoundPage());
      const v = await view(b);
      return v.canReschedule ? html(reply, 200, reschedulePage(v, rescheduleForm(b))) : html(reply, 200, bookingPage(v, 'This booking cannot be rescheduled any more.'));
    });
    pages.post<Form>('/m/:token/reschedule', { config, schema }, async (request, reply) => {
      const value = String(request.body?.start_time ?? '');
      const zone = validZone(String(request.body?.timezone ?? '')) ?? 'UTC';
      const reason = String(request.body?.reason ?? '').slice(0, 2000);
      try {
        const at = wallTimeToUtc(value, zone);
        if (at === undefined) throw new HooklineError('invalid_request', 'Choose a date and a time.', 'start_time');
        await guest.reschedule(ctx, request.params.token, new Date(at).toISOString(), reason);
        return reply.redirect(`${bookingLinks(ctx.publicUrl(), { guest_token: request.params.token, ics_token: '' }).page}?done=rescheduled`, 303);
      } catch (err) {
        if (!(err instanceof HooklineError)) throw err;
        const b = await find(request.params.token);
        if (!b) return html(reply, 404, notFoundPage());
        return html(reply, statusOf(err), reschedulePage(await view(b), rescheduleForm(b, { value, zone, reason }), err.message));
      }
    });

    pages.get<{ Params: { file: string } }>('/ics/:file', { config, schema }, async (request, reply) => {
      const token = /^([0-9a-f]{48})\.ics$/.exec(request.params.file)?.[1];
      const b = token ? await ctx.db.get<BookingRow>('SELECT * FROM bookings WHERE ics_token = ?', [token]) : undefined;
      if (!b) return reply.status(404).type('text/plain; charset=utf-8').send('No such calendar file.\n');
      const owner = await findUser(ctx.db, b.account_id, b.owner_id);
      return reply
        .header('Content-Disposition', `attachment; filename="${icsFileName(b)}"`)
        .header('Cache-Control', 'no-store')
        .header('X-Content-Type-Options', 'nosniff')
        .type('text/calendar; charset=utf-8')
        .send(bookingIcs(b, owner, new URL(ctx.publicUrl()).hostname));
    });
  });
}
