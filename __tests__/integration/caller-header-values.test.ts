import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { startTokenAndApiServer, type RecordingServer } from '../_helpers/servers';

// `headers: { 'Idempotency-Key': order.key ?? null }` is how real code passes an optional key.
// axios sends no header for null or false, and `headers.has()` is true for both: a POST must
// never be retried without a key the server can de-duplicate on.

let server: RecordingServer;
beforeAll(async () => {
  // Reads the whole create call, then resets the connection: the client cannot know the outcome.
  server = await startTokenAndApiServer((_req, res) => res.socket?.destroy());
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

function attach() {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  attachPaymentAuth(
    api,
    { clientId: 'c', clientSecret: 'secret-1' },
    { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
  );
  return api;
}

const posts = () => server.requests.filter((r) => r.method === 'POST' && r.url === '/api/v1/payments');

describe('a create call whose connection is reset after the server read it', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ["''", ''],
    ['blanks', '   '],
    ['an object', { id: 'order-42' }],
  ])('with Idempotency-Key %s: gets a generated key, and every attempt carries it', async (_name, value) => {
    const api = attach();
    await expect(
      api.post('/payments', { amount: 1 }, { headers: { 'Idempotency-Key': value as string } }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    const keys = posts().map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('with Idempotency-Key false: sends no key, as axios does for false, and is not retried', async () => {
    const api = attach();
    await expect(
      api.post('/payments', { amount: 1 }, { headers: { 'Idempotency-Key': false as unknown as string } }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(posts().map((r) => r.headers['idempotency-key'])).toEqual([undefined]);
  });

  it.each([
    ['a string', 'order-42', 'order-42'],
    ['a number', 0, '0'],
  ])('with a key that is %s: keeps it as it is, on every attempt', async (_name, value, sent) => {
    const api = attach();
    await expect(
      api.post('/payments', { amount: 1 }, { headers: { 'Idempotency-Key': value as string } }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(posts().map((r) => r.headers['idempotency-key'])).toEqual([sent, sent, sent]);
  });

  it('with keys turned off: a POST is sent once, never retried without a key', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    attachPaymentAuth(
      api,
      { clientId: 'c', clientSecret: 'secret-1' },
      { idempotency: false, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    await expect(api.post('/payments', { amount: 1 }, { headers: { 'Idempotency-Key': '' } })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(posts()).toHaveLength(1);
  });
});

describe('an Authorization header the caller passes', () => {
  let api: RecordingServer;
  beforeAll(async () => {
    api = await startTokenAndApiServer((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer at-ours' ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end('{}');
    }, 'at-ours');
  });
  afterAll(() => api.close());

  const sent = () => api.requests.filter((r) => r.url === '/api/v1/payments').map((r) => r.headers.authorization);
  const instance = () => {
    const client = axios.create({ baseURL: `${api.url}/api/v1` });
    attachPaymentAuth(client, { clientId: 'c', clientSecret: 'secret-1' });
    return client;
  };

  it.each([
    ['null', null],
    ['undefined', undefined],
    ["''", ''],
    ['blanks', '  '],
  ])('%s counts as not set: the request gets our token', async (_name, value) => {
    api.requests.length = 0;
    await expect(instance().get('/payments', { headers: { Authorization: value as string } })).resolves.toMatchObject({
      status: 200,
    });
    expect(sent()).toEqual(['Bearer at-ours']);
  });

  it('false sends none, as axios does, and the 401 goes back to the caller', async () => {
    api.requests.length = 0;
    await expect(
      instance().get('/payments', { headers: { Authorization: false as unknown as string } }),
    ).rejects.toMatchObject({ response: { status: 401 } });
    expect(sent()).toEqual([undefined]);
  });

  it('a value of the caller is sent as it is, never replaced or replayed', async () => {
    api.requests.length = 0;
    await expect(instance().get('/payments', { headers: { Authorization: 'Bearer theirs' } })).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(sent()).toEqual(['Bearer theirs']);
  });
});
