// The guest's pages as HTML: plain forms that work in any browser, with no script. Every value
// from the database goes through escape(); the pages are served with a strict Content-Security-Policy
// and no Referer, since their URLs carry the guest's token.
import { createHash } from 'node:crypto';

export interface BookingView {
  subject: string;
  hostName: string;
  guestName: string;
  /** When it starts, as people read it in the guest's time zone. */
  when: string;
  durationMinutes: number;
  location: string;
  statusText: string;
  canCancel: boolean;
  canReschedule: boolean;
  /** The host canceled and asked for a new time, with its reason. */
  rescheduleRequested: { reason: string } | null;
  links: { page: string; cancel: string; reschedule: string; ics: string };
}

export interface RescheduleForm {
  /** The date and time field's value, in `zone`. */
  value: string;
  min: string;
  zone: string;
  zones: readonly string[];
  reason: string;
}

export const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0 0 1.2rem}
dt{color:#5b6474}dd{margin:0}.notice{padding:.7rem 1rem;border-radius:6px;background:#e8f3ff;margin:0 0 1rem}
.error{background:#fdecec;color:#8a1c1c}.actions{display:flex;flex-wrap:wrap;gap:.6rem}
a.button,button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #2b59c3;background:#2b59c3;color:#fff;text-decoration:none;cursor:pointer}
a.secondary{background:#fff;color:#2b59c3}button.danger{background:#b3261e;border-color:#b3261e}
label{display:block;margin:.8rem 0 .3rem;font-weight:600}input,select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:.45rem}
textarea{min-height:5rem}form .actions{margin-top:1rem}`;

/** The inline style's hash, which the Content-Security-Policy allows (and nothing else). */
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

const notice = (text: string | undefined, kind: 'info' | 'error' = 'info') =>
  text ? `<p class="notice${kind === 'error' ? ' error' : ''}" role="${kind === 'error' ? 'alert' : 'status'}">${escape(text)}</p>` : '';

function details(b: BookingView): string {
  const rows: [string, string][] = [
    ['When', b.when],
    ['Duration', `${b.durationMinutes} minutes`],
    ['With', b.hostName],
    ['Guest', b.guestName],
    ...(b.location ? ([['Where', b.location]] as [string, string][]) : []),
    ['Status', b.statusText],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>`;
}

export function bookingPage(b: BookingView, message?: string): string {
  const requested = b.rescheduleRequested
    ? notice(`Your host canceled this meeting and asked you to pick a new time.${b.rescheduleRequested.reason ? ` Reason: ${b.rescheduleRequested.reason}` : ''}`)
    : '';
  const actions = [
    b.canReschedule ? `<a class="button" href="${escape(b.links.reschedule)}">${b.rescheduleRequested ? 'Pick a new time' : 'Reschedule'}</a>` : '',
    b.canCancel ? `<a class="button secondary" href="${escape(b.links.cancel)}">Cancel booking</a>` : '',
    `<a class="button secondary" href="${escape(b.links.ics)}" download>Add to calendar (.ics)</a>`,
  ].join('');
  return layout(b.subject, `<h1>${escape(b.subject)}</h1>${notice(message)}${requested}${details(b)}<div class="actions">${actions}</div>`);
}

export function cancelPage(b: BookingView, reason = '', error?: string): string {
  const form = `<form method="post" action="${escape(b.links.cancel)}">
<label for="reason">Reason (optional)</label><textarea id="reason" name="reason" maxlength="2000">${escape(reason)}</textarea>
<div class="actions"><button type="submit" class="danger">Cancel booking</button><a class="button secondary" href="${escape(b.links.page)}">Keep it</a></div></form>`;
  return layout(`Cancel: ${b.subject}`, `<h1>Cancel this booking?</h1>${notice(error, 'error')}${details(b)}${form}`);
}

export function reschedulePage(b: BookingView, f: RescheduleForm, error?: string): string {
  const zones = f.zones.map((z) => `<option${z === f.zone ? ' selected' : ''}>${escape(z)}</option>`).join('');
  const form = `<form method="post" action="${escape(b.links.reschedule)}">
<label for="start_time">New date and time</label><input id="start_time" name="start_time" type="datetime-local" required value="${escape(f.value)}" min="${escape(f.min)}">
<label for="timezone">Time zone of that date and time</label><select id="timezone" name="timezone">${zones}</select>
<label for="reason">Reason (optional)</label><textarea id="reason" name="reason" maxlength="2000">${escape(f.reason)}</textarea>
<div class="actions"><button type="submit">Reschedule</button><a class="button secondary" href="${escape(b.links.page)}">Back</a></div></form>`;
  return layout(`Reschedule: ${b.subject}`, `<h1>Pick a new time</h1>${notice(error, 'error')}${details(b)}${form}`);
}

export function notFoundPage(): string {
  return layout('Booking not found', `<h1>Booking not found</h1><p>This link is not valid. Check the link in your confirmation, or contact your host.</p>`);
}
