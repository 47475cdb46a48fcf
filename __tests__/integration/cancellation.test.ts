import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { attachPaymentAuth, isPaymentAuthError, type PaymentAuthTelemetry } from '../../src';
import { startPaymentSandbox } from '../../src/testing';
import { HOSTILE_SECRET } from '../_helpers/leaks';
import { deferred, waitFor } from '../_helpers/servers';
import { rejection } from '../_helpers/rejection';
import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('when a request waiting for a token is aborted', () => {
  it('rejects at once with CanceledError while the shared flight goes on for the others', async () => {
    h = await startHarness();
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const controller = new AbortController();
    const aborted = rejection(h.api.get('/payments', { signal: controller.signal }));
    const other = h.api.get('/payments');
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    controller.abort();
    const error = await aborted; // settles while the token call is still held
    expect(axios.isCancel(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('ERR_CANCELED');
    gate.resolve();
    await expect(other).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, apiCalls: 1 });
  });

  it('rejects an already-aborted request without a token call', async () => {
    h = await startHarness();
    const error = await rejection(h.api.get('/payments', { signal: AbortSignal.abort() }));
    expect(axios.isCancel(error)).toBe(true);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('honours a CancelToken too (NestJS HttpService still uses them)', async () => {
    h = await startHarness();
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const source = axios.CancelToken.source();
    const pending = rejection(h.api.get('/payments', { cancelToken: source.token }));
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    source.cancel('user left');
    expect(axios.isCancel(await pending)).toBe(true);
    gate.resolve();
  });

  it('cancels the replay when aborted after the 401', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    const gate = deferred();
    h.sandbox.injectFault('api', { delayMs: 0 }); // the first attempt passes through
    h.sandbox.injectFault('api', { hold: gate.promise }); // the replay is held
    const controller = new AbortController();
    const pending = rejection(h.api.get('/payments', { signal: controller.signal }));
    await waitFor(() => h.sandbox.counters().apiCalls === 3);
    controller.abort();
    expect(axios.isCancel(await pending)).toBe(true);
    gate.resolve();
  });

  it('removes its abort listeners: 50 requests on one signal raise no MaxListeners warning', async () => {
    h = await startHarness();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) await h.api.get('/payments', { signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('detach()', () => {
  type Handlers = { handlers: ({ fulfilled?: unknown; rejected?: unknown } | null)[] };
  /** The interceptors an axios interceptor manager would run now (ejected ones are nulled), by function. */
  const installed = (manager: unknown) =>
    (manager as Handlers).handlers.filter((x) => x !== null).map((x) => x.fulfilled ?? x.rejected);

  it("ejects exactly the interceptors it installed, axios-retry's too: the caller's stay, in order, and keep running", async () => {
    const sandbox = await startPaymentSandbox({ credentials: { clientSecret: HOSTILE_SECRET } });
    try {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      const seen: string[] = [];
      const mark =
        <T>(name: string) =>
        (value: T): T => {
          seen.push(name);
          return value;
        };
      const requestBefore = mark<InternalAxiosRequestConfig>('request before');
      const responseBefore = mark<AxiosResponse>('response before');
      api.interceptors.request.use(requestBefore);
      api.interceptors.response.use(responseBefore);
      const auth = attachPaymentAuth(api, sandbox.credentials, {
        retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      });
      const requestAfter = mark<InternalAxiosRequestConfig>('request after');
      const responseAfter = mark<AxiosResponse>('response after');
      api.interceptors.request.use(requestAfter);
      api.interceptors.response.use(responseAfter);
      // Ours: one request interceptor; one response interceptor plus axios-retry's (its request
      // interceptor, a per-request cost, is removed at install: src/retry/install.ts).
      expect(installed(api.interceptors.request)).toEqual([requestBefore, expect.any(Function), requestAfter]);
      expect(installed(api.interceptors.response)).toEqual([
        responseBefore,
        expect.any(Function),
        expect.any(Function),
        responseAfter,
      ]);
      await api.get('/payments');

      auth.detach();
      auth.detach();
      expect(installed(api.interceptors.request)).toEqual([requestBefore, requestAfter]);
      expect(installed(api.interceptors.response)).toEqual([responseBefore, responseAfter]);
      seen.length = 0;
      sandbox.injectFault('api', { status: 503 });
      const error = await rejection(api.get('/payments'));
      expect((error as { response?: { status?: number } }).response?.status).toBe(503); // not retried
      const error401 = await rejection(api.get('/payments'));
      expect((error401 as { response?: { status?: number } }).response?.status).toBe(401); // no token added, not replayed
      expect(sandbox.requests.slice(-2).map((r) => [r.status, r.errorCode])).toEqual([
        [503, undefined],
        [401, 'NO_TOKEN'],
      ]);
      expect(seen).toEqual(['request after', 'request before', 'request after', 'request before']);
      expect(sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: 3 });
    } finally {
      await sandbox.close();
    }
  });

  it("stops the telemetry's expiry reader, once", async () => {
    let stops = 0;
    let reader: (() => number | undefined) | undefined;
    const telemetry: PaymentAuthTelemetry = {
      traceTokenCall: (_info, run) => run(),
      recordTokenOutcome: () => undefined,
      recordUnauthorized: () => undefined,
      recordRetry: () => undefined,
      recordIdempotencyKey: () => undefined,
      observeExpiry(read) {
        reader = read;
        return () => void (stops += 1);
      },
    };
    h = await startHarness({ telemetry });
    await h.api.get('/payments');
    expect(reader?.()).toBe(900);
    expect(stops).toBe(0);
    h.auth.detach();
    h.auth.detach();
    expect(stops).toBe(1);
  });

  it('rejects requests waiting for a token with DETACHED', async () => {
    h = await startHarness();
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const waiting = rejection(h.api.get('/payments'));
    const direct = rejection(h.auth.getAccessToken());
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    h.auth.detach();
    for (const error of [await waiting, await direct]) expect(isPaymentAuthError(error) && error.code).toBe('DETACHED');
    gate.resolve();
    await expect(h.auth.getAccessToken()).rejects.toMatchObject({ code: 'DETACHED' });
  });
});
