import { Readable } from 'node:stream';
import axios, { type AxiosError } from 'axios';
import { isPaymentAuthError } from '../../src';
import { deferred, waitFor } from '../_helpers/servers';
import { rejection } from '../_helpers/rejection';
import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const apiTokens = (h: Harness) => h.sandbox.requests.filter((r) => r.route === 'api').map((r) => r.token);

describe('when an API call gets a 401', () => {
  it('refreshes once and replays the request with the new token', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 1, apiCalls: 3 });
    const [, rejected, replayed] = apiTokens(h);
    expect(replayed).not.toBe(rejected);
  });

  it('replays it even with `replayed` or a token `error` planted on a polluted Object.prototype', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const proto = Object.prototype as Record<string, unknown>;
    proto.replayed = true;
    proto.error = 'invalid_client';
    try {
      await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    } finally {
      delete proto.replayed;
      delete proto.error;
    }
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 1, apiCalls: 3 });
  });

  it('falls back to a full client_credentials exchange when the refresh fails', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    h.sandbox.revokeRefreshTokens();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 2, refreshCalls: 1, unauthorized: 1 });
  });

  it('replays a create call exactly once, with the same body bytes', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const transforms: unknown[] = [];
    const response = await h.api.post(
      '/payments',
      { amount: 1250, currency: 'EUR' },
      {
        transformRequest: [
          (data) => {
            transforms.push(data);
            return JSON.stringify(data);
          },
        ],
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(response.status).toBe(201);
    expect(transforms).toHaveLength(1);
    expect(h.sandbox.payments()).toHaveLength(1);
    const posts = h.sandbox.requests.filter((r) => r.method === 'POST' && r.route === 'api');
    expect(posts.map((r) => r.status)).toEqual([401, 201]);
    expect(posts[0]!.bodyBytes).toBe(posts[1]!.bodyBytes);
  });

  it.each([
    ['a string', () => JSON.stringify({ amount: 5 })],
    ['a Buffer', () => Buffer.from(JSON.stringify({ amount: 5 }))],
    ['a Uint8Array', () => new TextEncoder().encode(JSON.stringify({ amount: 5 }))],
  ])('replays %s body', async (_name, body) => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const response = await h.api.post('/payments', body(), { headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(201);
    const posts = h.sandbox.requests.filter((r) => r.method === 'POST' && r.route === 'api');
    expect(posts.map((r) => [r.status, r.bodyBytes])).toEqual([
      [401, 12],
      [201, 12],
    ]);
  });

  it('never replays a stream body empty: BODY_NOT_REPLAYABLE, and the token is renewed for the next requests', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const error = await rejection(
      h.api.post('/payments', Readable.from([Buffer.from('{"amount":7}')]), {
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(isPaymentAuthError(error) && error.code).toBe('BODY_NOT_REPLAYABLE');
    expect((error as { status?: number }).status).toBe(401);
    expect(h.sandbox.requests.filter((r) => r.method === 'POST' && r.route === 'api')).toHaveLength(1);
    await waitFor(() => h.sandbox.counters().refreshCalls === 1);
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters().refreshCalls).toBe(1);
  });

  it('returns a second 401 to the caller as a cleaned AxiosError, without another refresh', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.injectFault('api', { status: 401 }, 2);
    const error = await rejection(h.api.get('/payments'));
    expect(axios.isAxiosError(error)).toBe(true);
    expect((error as AxiosError).response?.status).toBe(401);
    expect((error as AxiosError).config?.headers.Authorization).toBe('Bearer [REDACTED]');
    expect(h.sandbox.counters()).toMatchObject({ refreshCalls: 1, apiCalls: 3 });
  });

  it.each([403, 400, 404, 500])('never refreshes on a %i', async (status) => {
    h = await startHarness({ retry: false });
    await h.api.get('/payments');
    h.sandbox.injectFault('api', { status });
    const error = await rejection(h.api.get('/payments'));
    expect((error as AxiosError).response?.status).toBe(status);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: 2 });
  });
});

describe('when 200 concurrent requests all get a 401', () => {
  it('refreshes once and every request succeeds', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const gate = deferred();
    h.sandbox.injectFault('refresh', { hold: gate.promise });
    const storm = Promise.allSettled(Array.from({ length: 200 }, () => h.api.get('/payments')));
    await waitFor(() => h.sandbox.counters().unauthorized === 200);
    gate.resolve();
    const results = await storm;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 200, apiCalls: 401 });
  });
});

describe('when a 401 arrives for a token that was already replaced', () => {
  it('replays with the current token without refreshing again', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    const gate = deferred();
    h.sandbox.injectFault('api', { hold: gate.promise });
    const slow = h.api.get('/payments'); // sent with token 1, held by the server
    await waitFor(() => h.sandbox.requests.filter((r) => r.route === 'api').length === 2);
    h.sandbox.revokeAccessTokens();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 }); // 401 → refresh → token 2
    gate.resolve(); // the held request is now checked: token 1 is revoked → 401
    await expect(slow).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 2 });
  });
});

describe('requests the caller authorises', () => {
  it('leaves a caller-set Authorization header alone and does not handle its 401', async () => {
    h = await startHarness();
    const error = await rejection(h.api.get('/payments', { headers: { Authorization: 'Bearer caller-token-xyz' } }));
    expect((error as AxiosError).response?.status).toBe(401);
    expect(h.sandbox.requests.map((r) => r.token)).toEqual(['***']);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 0, refreshCalls: 0 });
  });

  it('sends no token with paymentAuth: false', async () => {
    h = await startHarness();
    const error = await rejection(h.api.get('/payments', { paymentAuth: false }));
    expect((error as AxiosError).response?.status).toBe(401);
    expect(h.sandbox.requests[0]!.errorCode).toBe('NO_TOKEN');
    expect(h.sandbox.counters().tokenCalls).toBe(0);
  });
});
