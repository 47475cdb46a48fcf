import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A loopback server that records every request and answers with `handler` (200 `{}` by default).
 * Listen on 127.0.0.2 for a second origin.
 */
export async function startRecordingServer(
  host = '127.0.0.1',
  handler: (req: Recorded, res: ServerResponse, raw: IncomingMessage) => void = (_r, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  },
): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    handler(recorded, res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A promise with its resolve function, to gate a server's answer. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits until `check` is true, polling every few ms (bounded). */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A recording server that plays a token endpoint at `/api/v1/oauth2/token` (always issuing
 * `accessToken`, Bearer, 900 s) and answers every other call with `api`.
 */
export function startTokenAndApiServer(
  api: (req: Recorded, res: ServerResponse) => void,
  accessToken = 'at-1',
): Promise<RecordingServer> {
  return startRecordingServer('127.0.0.1', (req, res) => {
    if (req.url !== '/api/v1/oauth2/token') return api(req, res);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: 900 }));
  });
}
