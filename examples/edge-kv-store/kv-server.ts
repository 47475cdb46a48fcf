import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running key-value server. */
export interface KvServer {
  /** `http://127.0.0.1:<port>`, the store's `url`. */
  url: string;
  /** The raw values, by key, as a service would hold them. */
  values(): Map<string, string>;
  /** Commands received, by name. */
  commands: Record<string, number>;
  close(): Promise<void>;
}

const UNLOCK = /^if redis\.call\('GET', KEYS\[1\]\) == ARGV\[1\] then return redis\.call\('DEL', KEYS\[1\]\)/;

/**
 * A Redis-over-HTTP server on loopback for tests: POST a JSON array (`GET`, `SET … [NX] PX`, and
 * the compare-and-delete `EVAL` of the store), `{ result }` back; the bearer token must match.
 */
export async function startKvServer(token: string): Promise<KvServer> {
  const data = new Map<string, { value: string; until: number }>();
  const commands: Record<string, number> = {};
  const live = (key: string) => {
    const entry = data.get(key);
    if (entry && entry.until <= Date.now()) data.delete(key);
    return data.get(key);
  };
  const run = ([name, ...args]: string[]): unknown => {
    commands[name!] = (commands[name!] ?? 0) + 1;
    if (name === 'GET') return live(args[0]!)?.value ?? null;
    if (name === 'SET') {
      const [key, value, ...rest] = args as [string, string, ...string[]];
      const px = rest.indexOf('PX');
      if (px < 0) throw new Error('SET without PX');
      if (rest.includes('NX') && live(key)) return null;
      data.set(key, { value, until: Date.now() + Number(rest[px + 1]) });
      return 'OK';
    }
    if (name === 'EVAL' && UNLOCK.test(args[0] ?? '') && args[1] === '1') {
      if (live(args[2]!)?.value !== args[3]) return 0;
      data.delete(args[2]!);
      return 1;
    }
    throw new Error(`unsupported command ${String(name)}`);
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const send = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`)
        return send(401, { error: 'Unauthorized' });
      try {
        send(200, { result: run(JSON.parse(body) as string[]) });
      } catch (error) {
        send(400, { error: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    values: () => new Map([...data].filter(([key]) => live(key)).map(([key, { value }]) => [key, value])),
    commands,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
