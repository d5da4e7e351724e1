// The commands that work on a running hookline through its API (local or remote, --api-base), with
// an API key (--api-key or HOOKLINE_API_KEY), as a developer's terminal would: `listen`, `events list`,
// `events resend`, `webhooks recover`. None of them opens the database.
import { Command } from 'commander';
import { standardWebhooksSecret } from '../delivery/signing.js';
import { newWebhookSecret } from '../ids.js';
import { isComposite, isEventType, subscribes } from '../webhooks/event-types.js';
import { callApi, DEFAULT_API_BASE, remoteFrom, type RemoteOptions } from './api-client.js';
import { listen } from './listen.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const printErr = (line: string) => process.stderr.write(`${line}\n`);

function withRemote(cmd: Command): Command {
  return cmd
    .option('--api-key <key>', 'API key of the account (default: $HOOKLINE_API_KEY)')
    .option('--api-base <url>', "hookline's URL", DEFAULT_API_BASE);
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--since`: a duration back from now (30m, 2h, 3d) or an ISO time; milliseconds since the epoch. */
export function parseSince(value: string, now: number): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (m) return now - Number(m[1]) * UNITS[m[2]!]!;
  const at = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(at)) return at;
  throw new Error(`Invalid --since '${value}': give a duration back from now (30m, 2h, 3d) or an ISO time (2026-11-29T10:00:00Z).`);
}

/** A listen secret given with --secret, as the webhook secret text or in its whsec_ form. */
function listenSecret(given: string | undefined): string {
  if (given === undefined) return newWebhookSecret();
  const secret = given.startsWith('whsec_') ? Buffer.from(given.slice('whsec_'.length), 'base64').toString('utf8') : given;
  if (secret.length < 8) throw new Error('Invalid --secret: give at least 8 characters (or a whsec_ secret).');
  return secret;
}

interface EventObject {
  id: string;
  type: string;
  creation_time: string;
  data: { object?: string; id?: string };
}

export function registerRemoteCommands(program: Command): void {
  withRemote(
    program
      .command('listen')
      .description("Receive the account's events live from a running hookline and forward each, signed, to a local URL (or print it)")
      .option('--forward-to <url>', 'POST each event here, e.g. http://localhost:3000/hooks (http is fine: it is your machine)')
      .option('--print-json', 'print each payload (one JSON object a line) instead of forwarding')
      .option('--events <types>', 'comma-separated event types, or booking / conversation for all of a kind (default: every type)')
      .option('--secret <secret>', 'sign with this secret instead of a new one (the secret text, or its whsec_ form)'),
  ).action(async (opts: RemoteOptions & { forwardTo?: string; printJson?: boolean; events?: string; secret?: string }) => {
    if ((opts.forwardTo === undefined) === (opts.printJson !== true)) throw new Error('Give --forward-to <url> or --print-json (one of them).');
    if (opts.forwardTo !== undefined && !/^https?:\/\/[^/]/.test(opts.forwardTo)) throw new Error(`Invalid --forward-to '${opts.forwardTo}': give an http(s) URL.`);
    const remote = remoteFrom(opts);
    const secret = listenSecret(opts.secret);
    if (opts.forwardTo !== undefined) {
      printErr(`Listen secret: ${secret}`);
      printErr(`  as a Standard Webhooks secret: ${standardWebhooksSecret(secret)}`);
    }
    const session = listen({ remote, forwardTo: opts.forwardTo, secret, events: opts.events, out: print, err: printErr });
    const stop = () => session.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await session.done;
  });

  const events = program.command('events').description("The account's events, on a running hookline");
  withRemote(
    events
      .command('list')
      .description('List events, newest first: time, type, id and the booking or conversation')
      .option('--type <type>', 'an event type, or booking / conversation for all of a kind')
      .option('--since <when>', 'only events since then: 30m, 2h, 3d, or an ISO time')
      .option('--limit <n>', 'at most this many', '20'),
  ).action(async (opts: RemoteOptions & { type?: string; since?: string; limit: string }) => {
    const remote = remoteFrom(opts);
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error(`Invalid --limit '${opts.limit}': give a whole number from 1 to 10000.`);
    const since = opts.since === undefined ? undefined : parseSince(opts.since, Date.now());
    const type = opts.type;
    if (type !== undefined && !isEventType(type) && !isComposite(type)) throw new Error(`Invalid --type '${type}': give an event type, or booking or conversation.`);
    // A single type is filtered by the API; a composite here, page by page.
    const serverType = type !== undefined && isEventType(type) ? `&type=${encodeURIComponent(type)}` : '';
    // --since is a filter of the API's too (creation_time.gt is strict: one millisecond earlier keeps the bound).
    const serverSince = since === undefined ? '' : `&creation_time.gt=${encodeURIComponent(new Date(since - 1).toISOString())}`;
    let after: string | undefined;
    let printed = 0;
    for (;;) {
      const page = await callApi<{ data: EventObject[]; has_more: boolean }>(remote, 'GET', `/v2/events?limit=100${serverType}${serverSince}${after ? `&after=${after}` : ''}`);
      for (const e of page.data) {
        if (since !== undefined && Date.parse(e.creation_time) < since) return;
        if (type !== undefined && isComposite(type) && !(isEventType(e.type) && subscribes([type], e.type))) continue;
        print(`${e.creation_time}\t${e.type}\t${e.id}\t${e.data.id ?? ''}`);
        if (++printed >= limit) return;
      }
      if (!page.has_more || page.data.length === 0) return;
      after = page.data[page.data.length - 1]!.id;
    }
  });
  withRemote(
    events
      .command('resend')
      .description('Send an event again: to every enabled webhook it went to, or to one')
      .argument('<id>', 'the event id (EVNT-...)')
      .option('--webhook <id>', 'only to this webhook (WHK-...)'),
  ).action(async (id: string, opts: RemoteOptions & { webhook?: string }) => {
    const remote = remoteFrom(opts);
    const body = opts.webhook === undefined ? {} : { webhook_id: opts.webhook };
    const res = await callApi<{ requeued: number }>(remote, 'POST', `/v2/events/${encodeURIComponent(id)}/redeliver`, body);
    const to = opts.webhook === undefined ? '' : ` to ${opts.webhook}`;
    print(`Queued ${id}${to} again: ${res.requeued} ${res.requeued === 1 ? 'delivery' : 'deliveries'}.`);
    if (res.requeued === 0) print('Nothing was queued: its deliveries are still pending, or it went to no enabled webhook.');
  });

  withRemote(
    program
      .command('webhooks')
      .description("The account's webhooks, on a running hookline")
      .command('recover')
      .description('Send again every delivery of a webhook that failed or was skipped since a time')
      .argument('<id>', 'the webhook id (WHK-...)')
      .requiredOption('--since <when>', '30m, 2h, 3d, or an ISO time'),
  ).action(async (id: string, opts: RemoteOptions & { since: string }) => {
    const remote = remoteFrom(opts);
    const since = new Date(parseSince(opts.since, Date.now())).toISOString();
    const res = await callApi<{ requeued: number; since: string }>(remote, 'POST', `/v2/webhooks/${encodeURIComponent(id)}/recover`, { since });
    print(`Queued ${res.requeued} failed or skipped ${res.requeued === 1 ? 'delivery' : 'deliveries'} of ${id} since ${res.since} again.`);
  });
}
