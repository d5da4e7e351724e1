// A booking as an iCalendar file (RFC 5545), what OnceHub's `ics_url` downloads: one event with the
// booking's times in UTC, its host as organizer and its guests as attendees. The same booking keeps
// its UID; a change raises SEQUENCE, and a canceled booking is STATUS:CANCELLED, so a calendar that
// imports the file again updates or removes the event it made. Written by ical-generator.
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { BookingRow, FormSubmission } from './booking-object.js';
import type { UserRow } from './hosts.js';

const STATUS: Record<BookingRow['status'], ICalEventStatus> = {
  requested: ICalEventStatus.TENTATIVE,
  scheduled: ICalEventStatus.CONFIRMED,
  rescheduled: ICalEventStatus.CONFIRMED,
  completed: ICalEventStatus.CONFIRMED,
  no_show: ICalEventStatus.CONFIRMED,
  canceled: ICalEventStatus.CANCELLED,
};

export function bookingIcs(b: BookingRow, owner: UserRow, host: string): string {
  const form = JSON.parse(b.form_submission) as FormSubmission;
  const calendar = ical({ prodId: { company: 'hookline', product: 'bookings', language: 'EN' }, method: ICalCalendarMethod.PUBLISH });
  calendar.createEvent({
    id: `${b.id}@${host}`,
    start: new Date(b.starts_at),
    end: new Date(b.ends_at),
    stamp: new Date(b.updated_at),
    created: new Date(b.created_at),
    lastModified: new Date(b.updated_at),
    sequence: Math.max(0, Math.floor((b.updated_at - b.created_at) / 1000)),
    summary: b.subject,
    description: form.note ? `${b.subject}\n\n${form.note}` : b.subject,
    ...(b.location_description && { location: b.location_description }),
    status: STATUS[b.status],
    organizer: { name: `${owner.first_name} ${owner.last_name}`.trim(), email: owner.email },
    attendees: [
      { name: form.name, email: form.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED },
      ...form.guests.map((email) => ({ email, role: ICalAttendeeRole.OPT })),
    ],
  });
  return calendar.toString();
}

/** The download's file name. */
export const icsFileName = (b: Pick<BookingRow, 'id'>) => `${b.id.toLowerCase()}.ics`;
