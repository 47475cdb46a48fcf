import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, type PaymentAuthTelemetry } from '../../src';
import { startPaymentSandbox } from '../../src/testing';
import { startTokenAndApiServer, type RecordingServer } from '../_helpers/servers';
import { quietTelemetry } from '../_helpers/telemetry';

// Telemetry observes token calls; it never decides their outcome. A hook that misbehaves in any
// way still lets the token call settle with its own result.
let server: RecordingServer;
beforeAll(async () => {
  nock.restore();
  server = await startTokenAndApiServer((_req, res) => res.end('{}'));
});
afterAll(() => server.close());

function telemetry(traceTokenCall: PaymentAuthTelemetry['traceTokenCall']): PaymentAuthTelemetry {
  return quietTelemetry({ traceTokenCall });
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

it('detach() neither throws nor stops half way when the telemetry cannot unregister its expiry reader', async () => {
  const warnings: string[] = [];
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(
    api,
    { clientId: 'id', clientSecret: 'secret' },
    {
      telemetry: {
        ...telemetry((_info, run) => run()),
        observeExpiry: () => () => {
          throw new Error('meter provider shut down');
        },
      },
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (m) => void warnings.push(m),
        error: () => undefined,
      },
    },
  );
  await auth.getAccessToken();
  const interceptors = (api.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean);
  expect(interceptors.length).toBeGreaterThan(0);
  expect(() => auth.detach()).not.toThrow();
  expect((api.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean)).toEqual([]);
  await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'DETACHED' });
  expect(warnings).toEqual(['axios-payment-auth: telemetry observeExpiry unregister threw']);
});

describe('what telemetry receives of a token call', () => {
  it('is its status and error type, never the tokens of the response, and the URL without its query', async () => {
    const sandbox = await startPaymentSandbox();
    const recorded: string[] = [];
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, {
      tokenUrl: `${sandbox.url}/api/v1/oauth2/token?api_key=gateway-key-123456`,
      telemetry: telemetry(async (info, run, describe) => {
        const outcome = await run(); // a generic span wrapper that records what the call resolved to
        recorded.push(JSON.stringify({ info, outcome, described: describe(outcome) }));
        return outcome;
      }),
    });
    try {
      await auth.getAccessToken();
      expect(recorded).toHaveLength(1);
      expect(JSON.parse(recorded[0]!)).toEqual({
        info: { grantType: 'client_credentials', url: `${sandbox.url}/api/v1/oauth2/token`, resendCount: 0 },
        outcome: { status: 200 },
        described: { status: 200 },
      });
      expect(sandbox.issuedTokens()).toHaveLength(2); // the access and the refresh token
      for (const token of sandbox.issuedTokens()) expect(recorded[0]).not.toContain(token);
      expect(recorded[0]).not.toContain('gateway-key-123456');
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });
});
