// A TCP proxy between hookline and the test PostgreSQL, to stage a database outage: cut() drops
// every connection and every new one at once (the server gone, a reset from the network), or, with
// `silent`, lets them hang with nothing getting through (a partition: packets lost, no reset);
// restore() lets traffic through again, and a silent cut's connections carry on where they stopped.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** The same URL with the proxy's address in place of the target's. */
  url(target: string): string;
  cut(mode?: 'reset' | 'silent'): void;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
}

export async function startTcpProxy(target = { host: '127.0.0.1', port: 5432 }): Promise<TcpProxy> {
  let mode: 'open' | 'reset' | 'silent' = 'open';
  const pairs = new Set<Pair>();

  /** A reset (or an error) goes through to the other side at once. */
  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  /** A side closed: the other ends once what was sent before has gone through (after a silent cut). */
  const closed = (pair: Pair) => {
    if (mode === 'silent') return;
    pairs.delete(pair);
    pair.client.end();
    pair.upstream?.end();
  };
  const join = (pair: Pair) => {
    if (pair.client.destroyed || pair.upstream?.destroyed) return closed(pair);
    pair.upstream ??= net.connect(target).on('error', () => drop(pair)).on('close', () => closed(pair));
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };

  const server = net.createServer((client) => {
    if (mode === 'reset') return void client.destroy();
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => drop(pair)).on('close', () => closed(pair));
    if (mode === 'open') join(pair); // silent: held, unanswered, until restore() or the client gives up
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: (target) => {
      const u = new URL(target);
      u.port = String(port);
      return u.toString();
    },
    cut(how = 'reset') {
      mode = how;
      for (const pair of pairs) {
        if (how === 'reset') drop(pair);
        else if (pair.upstream) {
          pair.client.unpipe(pair.upstream);
          pair.upstream.unpipe(pair.client);
          pair.client.pause(); // what is sent meanwhile waits here, as unacknowledged packets would
          pair.upstream.pause();
        }
      }
    },
    restore() {
      mode = 'open';
      for (const pair of pairs) join(pair);
    },
    close: () =>
      new Promise((resolve) => {
        for (const pair of pairs) drop(pair);
        server.close(() => resolve());
      }),
  };
}
