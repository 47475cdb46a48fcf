import axios from 'axios';
import { type RetryEvent } from '../../src';
import { rejection } from '../_helpers/rejection';
import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h?.close();
});

/** No backoff: each retry goes out at once. */
const immediate = { baseDelayMs: 0, maxDelayMs: 0 };
const apiCalls = (h: Harness) => h.sandbox.requests.filter((r) => r.route === 'api');

describe('the retries of API calls', () => {
  it('report the method of a retried POST to onRetry as POST', async () => {
    const events: RetryEvent[] = [];
    h = await startHarness({ retry: { ...immediate, onRetry: (e) => events.push(e) } });
    h.sandbox.injectFault('api', { status: 503 });
    await expect(h.api.post('/payments', { amount: 1 })).resolves.toMatchObject({ status: 201 });
    expect(events).toEqual([{ attempt: 1, reason: 'status 503', method: 'POST', path: '/payments', delayMs: 0 }]);
  });

  it('leave a request sent with paymentAuth: false alone: its 503 is not retried', async () => {
    h = await startHarness({ retry: immediate });
    h.sandbox.injectFault('api', { status: 503 }, 3);
    const error = await rejection(h.api.get('/payments', { paymentAuth: false }));
    expect(axios.isAxiosError(error) && error.response?.status).toBe(503);
    expect(apiCalls(h).map((r) => r.status)).toEqual([503]);
  });

  it("give each retry the request's whole timeout again, however long the attempts before it took", async () => {
    h = await startHarness({ retry: immediate });
    await h.auth.getAccessToken();
    h.sandbox.injectFault('api', { status: 503 });
    // A wall clock that moves a minute each time it is read: every attempt looks longer than the timeout.
    let wall = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => (wall += 60_000));
    await expect(h.api.get('/payments', { timeout: 30_000 })).resolves.toMatchObject({ status: 200 });
    expect(apiCalls(h).map((r) => r.status)).toEqual([503, 200]);
  });
});
