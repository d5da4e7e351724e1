// Wall-clock times in an IANA time zone, for the guest's pages: a browser's date and time field
// (`2026-12-05T14:30`) means that time where the guest is, and the page shows times the same way.

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds. */
function offsetAt(utcMs: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(utcMs)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant a wall-clock `YYYY-MM-DDTHH:mm` names in the zone, or undefined when it is not one. A
 * time a clock change skips resolves to the instant after the gap, as calendars do.
 */
export function wallTimeToUtc(local: string, zone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(asUtc);
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  const first = asUtc - offsetAt(asUtc, zone);
  const second = asUtc - offsetAt(first, zone);
  if (utcToWallTime(second, zone) === local.trim()) return second;
  if (utcToWallTime(first, zone) === local.trim()) return first;
  return Math.max(first, second); // in a gap: the wall clock there reads one hour later

}

/** The instant as a browser's date and time field value in the zone. */
export function utcToWallTime(utcMs: number, zone: string): string {
  return new Date(utcMs + offsetAt(utcMs, zone)).toISOString().slice(0, 16);
}

/** The instant as people read it there: "Saturday, December 5, 2026 at 2:30 PM EST". */
export function readableTime(utcMs: number, zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(utcMs) + ` (${zone})`;
}
