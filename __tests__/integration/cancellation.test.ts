import axios from 'axios';
import { isPaymentAuthError } from '../../src';
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
  it('ejects exactly our interceptors: the caller\'s keep running, no token is added', async () => {
    h = await startHarness();
    const seen: string[] = [];
    h.api.interceptors.request.use((config) => {
      seen.push('request');
      return config;
    });
    h.api.interceptors.response.use((response) => {
      seen.push('response');
      return response;
    });
    await h.api.get('/payments');
    h.auth.detach();
    h.auth.detach();
    const error = await rejection(h.api.get('/payments'));
    expect((error as { response?: { status?: number } }).response?.status).toBe(401);
    expect(h.sandbox.requests.at(-1)!.errorCode).toBe('NO_TOKEN');
    expect(seen).toEqual(['request', 'response', 'request']);
    expect(h.sandbox.counters().refreshCalls).toBe(0);
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
