import fc from 'fast-check';
import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { retryDelayMs, shouldRetry } from '../../src/retry/policy';
import { normalizeRetry, type RetryPolicy } from '../../src/options/retry-options';

const policy: RetryPolicy = {
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30_000,
  onRetry: undefined,
};

function error(
  method: string,
  status: number | undefined,
  options: { code?: string; key?: boolean; retryAfter?: string; data?: unknown } = {},
): AxiosError {
  const headers = new AxiosHeaders(options.key ? { 'Idempotency-Key': 'k' } : {});
  const config = { method, url: '/x', headers, data: options.data } as InternalAxiosRequestConfig;
  const response =
    status === undefined
      ? undefined
      : {
          status,
          statusText: '',
          data: {},
          headers: options.retryAfter ? { 'retry-after': options.retryAfter } : {},
          config,
        };
  return new AxiosError(
    'failed',
    options.code ?? (status ? 'ERR_BAD_RESPONSE' : 'ECONNRESET'),
    config,
    undefined,
    response as never,
  );
}

describe('shouldRetry', () => {
  it.each([
    ['GET 503', error('get', 503), true],
    ['GET 501', error('get', 501), false],
    ['GET 429', error('get', 429), true],
    ['GET ECONNRESET', error('get', undefined), true],
    ['GET ECONNREFUSED', error('get', undefined, { code: 'ECONNREFUSED' }), true],
    ['GET canceled', error('get', undefined, { code: 'ERR_CANCELED' }), false],
    ['GET ENOTFOUND', error('get', undefined, { code: 'ENOTFOUND' }), false],
    ['GET 400', error('get', 400), false],
    ['GET 401', error('get', 401), false],
    ['GET 409 without a key', error('get', 409), false],
    ['POST 503 without a key', error('post', 503), false],
    ['POST 503 with a key', error('post', 503, { key: true }), true],
    ['POST ECONNRESET with a key', error('post', undefined, { key: true }), true],
    ['POST 409 with a key', error('post', 409, { key: true }), true],
    ['POST 422 with a key', error('post', 422, { key: true }), false],
    ['PATCH 500 without a key', error('patch', 500), false],
    ['PUT 500', error('put', 500), true],
    ['DELETE ECONNRESET', error('delete', undefined), true],
    ['GET 503, Retry-After over the cap', error('get', 503, { retryAfter: '31' }), false],
    ['GET 503, Retry-After within the cap', error('get', 503, { retryAfter: '30' }), true],
    ['POST with a stream body', error('post', 503, { key: true, data: { pipe() {} } }), false],
  ])('%s → %p', (_name, err, expected) => {
    expect(shouldRetry(err, policy, 'Idempotency-Key')).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it('stays within the backoff bounds without Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(attempt, error('get', 503), policy, () => r);
          return delay >= 0 && delay <= Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        },
      ),
      { seed: 17, numRuns: 1000 },
    );
  });

  it('obeys Retry-After, never beyond the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.nat({ max: 100_000 }), (attempt, seconds) => {
        const delay = retryDelayMs(attempt, error('get', 429, { retryAfter: String(seconds) }), policy, () => 0);
        return delay === Math.min(seconds * 1000, policy.maxRetryAfterMs);
      }),
      { seed: 19, numRuns: 1000 },
    );
  });
});

describe('normalizeRetry', () => {
  it('reads false, a number and options', () => {
    expect(normalizeRetry(false)).toBeUndefined();
    expect(normalizeRetry(0)).toBeUndefined();
    expect(normalizeRetry(5)).toMatchObject({ retries: 5, baseDelayMs: 500 });
    expect(normalizeRetry(undefined)).toMatchObject({
      retries: 2,
      baseDelayMs: 500,
      maxDelayMs: 5000,
      maxRetryAfterMs: 30_000,
    });
  });
  it.each([[-1], [1.5], [{ retries: 'x' }], [{ retryz: 1 }], ['3'], [{ onRetry: 1 }]])(
    'rejects %p with a TypeError',
    (value) => {
      expect(() => normalizeRetry(value)).toThrow(TypeError);
    },
  );
});
