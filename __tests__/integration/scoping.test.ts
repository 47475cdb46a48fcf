import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';

let sandbox: PaymentSandbox;
let other: RecordingServer;
beforeEach(async () => {
  sandbox = await startPaymentSandbox();
  other = await startRecordingServer('127.0.0.2');
});
afterEach(async () => {
  await sandbox.close();
  await other.close();
});

describe('which requests carry the bearer token', () => {
  it('never sends it to another origin named by an absolute URL', async () => {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    await api.get('/payments');
    await api.get(`${other.url}/collect`);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(sandbox.counters().tokenCalls).toBe(1);
    auth.detach();
  });

  it('sends it to an origin listed in apiOrigins', async () => {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, { apiOrigins: [other.url] });
    await api.get(`${other.url}/mirror`);
    expect(other.requests[0]!.headers.authorization).toMatch(/^Bearer at_/);
    auth.detach();
  });

  it('never decorates a call to the token endpoint made through the instance', async () => {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    await api.post('/oauth2/token', 'grant_type=client_credentials', { validateStatus: () => true });
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]).toMatchObject({ route: 'token', clientAuth: 'none', status: 401 });
    auth.detach();
  });

  it('does not put the token on axios defaults: a plain axios call carries none', async () => {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    await api.get('/payments');
    await axios.get(`${sandbox.url}/api/v1/payments`, { validateStatus: () => true });
    expect(sandbox.requests.at(-1)!.errorCode).toBe('NO_TOKEN');
    auth.detach();
  });
});

describe('redirects of API calls', () => {
  let api: RecordingServer;
  beforeEach(async () => {
    api = await startRecordingServer('127.0.0.1', (req, res) => {
      if (req.url.startsWith('/api/v1/hop')) {
        res.writeHead(302, { Location: req.url.includes('away') ? `${other.url}/landing` : '/api/v1/landing' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  afterEach(() => api.close());

  function attachToRecorder() {
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(instance, sandbox.credentials, {
      tokenUrl: `${sandbox.url}/api/v1/oauth2/token`,
      refreshUrl: `${sandbox.url}/api/v1/oauth2/refresh`,
    });
    return { instance, auth };
  }

  it('drop the bearer token when they leave the API origin', async () => {
    const { instance, auth } = attachToRecorder();
    await instance.get('/hop/away');
    expect(other.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/landing', undefined]]);
    auth.detach();
  });

  // beforeRedirect is follow-redirects' hook (the http adapter); fetch follows redirects itself.
  const httpAdapterOnly = process.env.PAYMENT_AUTH_TEST_ADAPTER === 'fetch' ? it.skip : it;
  httpAdapterOnly("keep it on the same origin, and still run the caller's beforeRedirect", async () => {
    const { instance, auth } = attachToRecorder();
    const hops: string[] = [];
    await instance.get('/hop/home', { beforeRedirect: (options) => void hops.push(String(options.path)) });
    expect(api.requests.map((r) => [r.url, Boolean(r.headers.authorization)])).toEqual([
      ['/api/v1/hop/home', true],
      ['/api/v1/landing', true],
    ]);
    expect(hops).toEqual(['/api/v1/landing']);
    auth.detach();
  });
});
