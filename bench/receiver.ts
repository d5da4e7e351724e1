// Benchmark receiver, run as a child process (see harness.ts): an HTTPS server on 127.0.0.1 that
// answers 200 "ok" at once (except on paths under /hang, which it never answers nor records) and records, per request, its webhook-id header and arrival time
// (performance.timeOrigin + performance.now(), comparable across processes). The parent asks over
// IPC: {cmd:'count'}, {cmd:'wait', n} (replies when n requests have arrived, with the n-th's time)
// and {cmd:'collect', ids} (returns everything recorded and starts a new phase).
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export type ReceiverCommand = { id: number } & ({ cmd: 'count' } | { cmd: 'wait'; n: number } | { cmd: 'collect'; ids: boolean });
export interface ReceiverReply {
  id: number;
  count: number;
  /** TLS connections accepted since the last collect. */
  connections: number;
  /** For wait: arrival time of the n-th request. */
  at?: number;
  ids?: string[];
  times?: number[];
}

const now = () => performance.timeOrigin + performance.now();
const send = (msg: unknown) => process.send?.(msg);

const [keyFile, certFile] = process.argv.slice(2);
let connections = 0;
let ids: string[] = [];
let times: number[] = [];
let waiters: { id: number; n: number }[] = [];

const release = () => {
  waiters = waiters.filter((w) => {
    if (times.length < w.n) return true;
    send({ id: w.id, count: times.length, connections, at: times[w.n - 1] } satisfies ReceiverReply);
    return false;
  });
};

const server = https.createServer({ key: fs.readFileSync(keyFile!), cert: fs.readFileSync(certFile!), keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  if (req.url?.startsWith('/hang')) return; // a receiver that never answers: the connection stays open
  req.on('end', () => {
    times.push(now());
    ids.push(String(req.headers['webhook-id'] ?? ''));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    if (waiters.length > 0) release();
  });
});

server.on('secureConnection', () => connections++);

process.on('message', (msg: ReceiverCommand) => {
  if (msg.cmd === 'count') send({ id: msg.id, count: times.length, connections } satisfies ReceiverReply);
  else if (msg.cmd === 'wait') {
    waiters.push({ id: msg.id, n: msg.n });
    release();
  } else {
    send({ id: msg.id, count: times.length, connections, ...(msg.ids && { ids, times }) } satisfies ReceiverReply);
    ids = [];
    times = [];
    waiters = [];
    connections = 0;
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => send({ ready: (server.address() as AddressInfo).port }));
