import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, type PaymentAuthTelemetry } from '../../src';
import { startTokenAndApiServer, type RecordingServer } from '../_helpers/servers';

// Telemetry observes token calls; it never decides their outcome. A hook that misbehaves in any
// way still lets the token call settle with its own result.
let server: RecordingServer;
beforeAll(async () => {
  nock.restore();
  server = await startTokenAndApiServer((_req, res) => res.end('{}'));
});
afterAll(() => server.close());

function telemetry(traceTokenCall: PaymentAuthTelemetry['traceTokenCall']): PaymentAuthTelemetry {
  return {
    traceTokenCall,
    recordTokenOutcome: () => undefined,
    recordUnauthorized: () => undefined,
    recordRetry: () => undefined,
    recordIdempotencyKey: () => undefined,
    observeExpiry: () => () => undefined,
  };
}

it.each([
  [
    'never settles',
    ((_info, run) => (void run(), new Promise<never>(() => undefined))) as PaymentAuthTelemetry['traceTokenCall'],
  ],
  [
    'forgets to return the call',
    ((_info: unknown, run: () => Promise<unknown>) => void run()) as unknown as PaymentAuthTelemetry['traceTokenCall'],
  ],
  ['never calls run', (() => Promise.resolve(undefined)) as unknown as PaymentAuthTelemetry['traceTokenCall']],
  [
    'rejects',
    ((_info, run) =>
      run().then(() => Promise.reject(new Error('exporter down')))) as PaymentAuthTelemetry['traceTokenCall'],
  ],
  [
    'throws after starting the call',
    ((_info, run) => {
      void run();
      throw new Error('exporter down');
    }) as PaymentAuthTelemetry['traceTokenCall'],
  ],
])('a token call settles when traceTokenCall %s', async (_name, traceTokenCall) => {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(
    api,
    { clientId: 'id', clientSecret: 'secret' },
    { telemetry: telemetry(traceTokenCall), tokenTimeoutMs: 2000 },
  );
  const tokenCalls = server.requests.filter((r) => r.url === '/api/v1/oauth2/token').length;
  await expect(auth.getAccessToken()).resolves.toBe('at-1');
  expect(server.requests.filter((r) => r.url === '/api/v1/oauth2/token').length).toBe(tokenCalls + 1);
  auth.detach();
});
