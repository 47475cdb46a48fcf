import { Readable } from 'node:stream';
import axios from 'axios';
import { type RetryEvent } from '../../src';
import { startRecordingServer, waitFor } from '../_helpers/servers';
import { rejection } from '../_helpers/rejection';
import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fast = { baseDelayMs: 5, maxDelayMs: 20 };
const apiCalls = (h: Harness) => h.sandbox.requests.filter((r) => r.route === 'api');

describe('a create call', () => {
  it('gets one Idempotency-Key (UUID v4) that every retry keeps, and is charged once after a 503', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { status: 503 });
    const response = await h.api.post('/payments', { amount: 1000, currency: 'EUR' });
    expect(response.status).toBe(201);
    const attempts = apiCalls(h);
    expect(attempts.map((r) => r.status)).toEqual([503, 201]);
    expect(attempts[0]!.idempotencyKey).toMatch(UUID_V4);
    expect(attempts[1]!.idempotencyKey).toBe(attempts[0]!.idempotencyKey);
    expect(h.sandbox.payments()).toHaveLength(1);
  });

  it('is retried with the same key when the connection drops after the payment was made, and charged once', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { dropAfterHandling: true });
    const response = await h.api.post('/payments', { amount: 2500 });
    expect(response.status).toBe(200);
    expect(response.headers['idempotent-replayed']).toBe('true');
    const [first, second] = apiCalls(h);
    expect(second!.idempotencyKey).toBe(first!.idempotencyKey);
    expect(h.sandbox.payments()).toHaveLength(1);
  });

  it('is retried when the connection drops before anything was done', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { drop: true });
    await expect(h.api.post('/payments', { amount: 1 })).resolves.toMatchObject({ status: 201 });
    expect(h.sandbox.payments()).toHaveLength(1);
  });

  it('hit by a 401 and then a 503: one payment, one key, the current token on each attempt', async () => {
    h = await startHarness({ retry: fast });
    await h.api.get('/payments');
    const before = h.sandbox.requests.length;
    h.sandbox.revokeAccessTokens();
    h.sandbox.injectFault('api', { delayMs: 0 }); // the first attempt reaches the API: 401
    h.sandbox.injectFault('api', { status: 503 }); // the replay: 503
    await expect(h.api.post('/payments', { amount: 700 })).resolves.toMatchObject({ status: 201 });
    const attempts = h.sandbox.requests.slice(before).filter((r) => r.route === 'api');
    expect(attempts.map((r) => r.status)).toEqual([401, 503, 201]);
    expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(attempts[1]!.token).not.toBe(attempts[0]!.token);
    expect(attempts[2]!.token).toBe(attempts[1]!.token);
    expect(h.sandbox.counters()).toMatchObject({ refreshCalls: 1, paymentsCreated: 1 });
  });

  it('keeps a key the caller set', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { status: 502 });
    await h.api.post('/payments', { amount: 3 }, { headers: { 'Idempotency-Key': 'order-42-attempt' } });
    expect(apiCalls(h).map((r) => r.idempotencyKey)).toEqual(['order-42-attempt', 'order-42-attempt']);
  });

  it('gets a new key for each logical call', async () => {
    h = await startHarness();
    await h.api.post('/payments', { amount: 3 });
    await h.api.post('/payments', { amount: 3 });
    const [a, b] = apiCalls(h);
    expect(a!.idempotencyKey).not.toBe(b!.idempotencyKey);
    expect(h.sandbox.payments()).toHaveLength(2);
  });

  it('uses the configured header name', async () => {
    h = await startHarness({ idempotency: { headerName: 'X-Request-Key' } });
    const response = await h.api.post('/payments', { amount: 3 });
    expect(String(response.config.headers.get('X-Request-Key'))).toMatch(UUID_V4);
    expect(apiCalls(h)[0]!.idempotencyKey).toBeUndefined();
  });
});

describe('what is not retried', () => {
  it.each([400, 404, 422])('a %i: one attempt', async (status) => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { status });
    expect(
      ((await rejection(h.api.post('/payments', { amount: 1 }))) as { response: { status: number } }).response.status,
    ).toBe(status);
    expect(apiCalls(h)).toHaveLength(1);
  });

  it('a 422 idempotency conflict from the API itself', async () => {
    h = await startHarness({ retry: fast });
    await h.api.post('/payments', { amount: 1 }, { headers: { 'Idempotency-Key': 'k-1' } });
    const error = await rejection(h.api.post('/payments', { amount: 2 }, { headers: { 'Idempotency-Key': 'k-1' } }));
    expect((error as { response: { status: number } }).response.status).toBe(422);
    expect(apiCalls(h)).toHaveLength(2);
  });

  it('a POST without a key after a dropped connection (idempotency: false): the outcome is unknown', async () => {
    h = await startHarness({ retry: fast, idempotency: false });
    h.sandbox.injectFault('api', { dropAfterHandling: true });
    const error = await rejection(h.api.post('/payments', { amount: 1 }));
    // The fetch adapter names a broken connection ERR_NETWORK.
    const code = process.env.PAYMENT_AUTH_TEST_ADAPTER === 'fetch' ? 'ERR_NETWORK' : 'ECONNRESET';
    expect(axios.isAxiosError(error) && error.code).toBe(code);
    expect(apiCalls(h)).toHaveLength(1);
    expect(apiCalls(h)[0]!.idempotencyKey).toBeUndefined();
  });

  it('a stream body: never resent empty', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { status: 503 });
    const error = await rejection(
      h.api.post('/payments', Readable.from(['{"amount":1}']), { headers: { 'Content-Type': 'application/json' } }),
    );
    expect((error as { response: { status: number } }).response.status).toBe(503);
    expect(apiCalls(h)).toHaveLength(1);
  });

  it('anything, with retry: false', async () => {
    h = await startHarness({ retry: false });
    h.sandbox.injectFault('api', { status: 503 });
    await rejection(h.api.get('/payments'));
    expect(apiCalls(h)).toHaveLength(1);
  });

  it('a Retry-After longer than the cap', async () => {
    h = await startHarness({ retry: { ...fast, maxRetryAfterMs: 1000 } });
    h.sandbox.injectFault('api', { status: 503, retryAfterS: 60 });
    await rejection(h.api.get('/payments'));
    expect(apiCalls(h)).toHaveLength(1);
  });

  it('beyond the retry count', async () => {
    h = await startHarness({ retry: { ...fast, retries: 3 } });
    h.sandbox.injectFault('api', { status: 500 }, 10);
    await rejection(h.api.get('/payments'));
    expect(apiCalls(h)).toHaveLength(4);
  });
});

describe('retries of reads and updates', () => {
  it.each([
    ['a GET after a dropped connection', 'get', { drop: true }],
    ['a GET after a 429', 'get', { status: 429 }],
    ['a PUT after a 503', 'put', { status: 503 }],
    ['a DELETE after a 500', 'delete', { status: 500 }],
  ] as const)('%s', async (_name, method, fault) => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', fault);
    const error = await rejection(h.api.request({ method, url: '/payments/nope' }));
    expect((error as { response?: { status: number } }).response?.status).toBe(404);
    expect(apiCalls(h)).toHaveLength(2);
  });

  it('waits for Retry-After on a 429', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', { status: 429, retryAfterS: 1 });
    const started = Date.now();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries a 409 on a keyed request (the same key still being processed)', async () => {
    h = await startHarness({ retry: fast });
    h.sandbox.injectFault('api', {
      status: 409,
      body: { error: { code: 'IDEMPOTENCY_KEY_IN_USE', message: 'in progress', request_id: 'r' } },
    });
    await expect(h.api.post('/payments', { amount: 9 })).resolves.toMatchObject({ status: 201 });
    expect(apiCalls(h).map((r) => r.status)).toEqual([409, 201]);
  });

  it('renews a token that expired during the backoff before retrying', async () => {
    h = await startHarness({ retry: { ...fast, maxRetryAfterMs: 5000 } });
    await h.api.get('/payments');
    h.sandbox.injectFault('api', { status: 503, retryAfterS: 1 });
    const pending = h.api.get('/payments');
    await waitFor(() => apiCalls(h).length === 2);
    h.advance(901_000);
    await expect(pending).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ refreshCalls: 1, unauthorized: 0 });
    const [, failed, retried] = apiCalls(h);
    expect(retried!.token).not.toBe(failed!.token);
  });

  it('reports each retry to onRetry', async () => {
    const events: RetryEvent[] = [];
    h = await startHarness({ retry: { ...fast, onRetry: (e) => events.push(e) } });
    h.sandbox.injectFault('api', { status: 503 }, 2);
    await h.api.get('/payments?limit=5');
    expect(events).toEqual([
      { attempt: 1, reason: 'status 503', method: 'GET', path: '/payments', delayMs: expect.any(Number) },
      { attempt: 2, reason: 'status 503', method: 'GET', path: '/payments', delayMs: expect.any(Number) },
    ]);
    expect(events.every((e) => e.delayMs >= 0 && e.delayMs <= 20)).toBe(true);
  });

  it("leaves requests to other origins to the instance's own behaviour: a 503 there is not retried", async () => {
    h = await startHarness({ retry: fast });
    const other = await startRecordingServer('127.0.0.2', (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    try {
      const error = await rejection(h.api.get(`${other.url}/elsewhere`));
      expect(axios.isAxiosError(error) && error.response?.status).toBe(503);
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
      expect(h.sandbox.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('an abort during the backoff', () => {
  it('rejects at once instead of waiting out Retry-After', async () => {
    h = await startHarness({ retry: { ...fast, maxRetryAfterMs: 60_000 } });
    h.sandbox.injectFault('api', { status: 503, retryAfterS: 50 });
    const controller = new AbortController();
    const pending = rejection(h.api.get('/payments', { signal: controller.signal }));
    await waitFor(() => apiCalls(h).length === 1 && apiCalls(h)[0]!.status === 503);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(axios.isCancel(await pending)).toBe(true); // a 50 s wait would exceed the test timeout
    expect(apiCalls(h)).toHaveLength(1);
  });
});
