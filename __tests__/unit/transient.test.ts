import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import {
  isTransientConnectionFailure,
  isTransientStatus,
  isTransientTransportCode,
  isTransientTransportFailure,
} from '../../src/errors/transient';
import { parsePaymentError } from '../../src';
import { retryReason } from '../../src/retry/policy';

// One rule decides what may succeed when asked again: the API retries, the token endpoint's
// retries and parsePaymentError(err).retryable all read it, so they cannot drift apart.
describe('the transient rule', () => {
  it.each([429, 500, 502, 503, 504, 507, 599])('%i is transient', (status) => {
    expect(isTransientStatus(status)).toBe(true);
  });

  it.each([200, 301, 400, 401, 403, 404, 408, 409, 422, 501, 505])('%i is not', (status) => {
    expect(isTransientStatus(status)).toBe(false);
  });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'ECONNABORTED',
    'EAI_AGAIN',
    'ERR_NETWORK',
    'ENETUNREACH',
    'EHOSTUNREACH',
  ])('transport code %s is transient', (code) => {
    expect(isTransientTransportCode(code)).toBe(true);
  });

  it.each(['ENOTFOUND', 'ERR_BAD_REQUEST', 'ERR_CANCELED', 'CERT_HAS_EXPIRED', '', undefined, 42])(
    'transport code %p is not',
    (code) => {
      expect(isTransientTransportCode(code)).toBe(false);
    },
  );

  const config = { method: 'get', headers: new AxiosHeaders() } as InternalAxiosRequestConfig;
  const transport = (code: string) => new AxiosError('failed', code, config);
  const status = (s: number) =>
    new AxiosError(
      'failed',
      'ERR_BAD_RESPONSE',
      config,
      {},
      { status: s, statusText: '', headers: {}, config, data: '' },
    );

  it.each(['ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET', 'ENOTFOUND'])(
    'the retry policy and parsePaymentError agree on %s',
    (code) => {
      expect(retryReason(transport(code), undefined) !== undefined).toBe(parsePaymentError(transport(code)).retryable);
    },
  );

  // axios's fetch adapter on workerd: the runtime's `Error: Network connection lost.` passed on
  // without a code (only a TypeError mentioning fetch becomes ERR_NETWORK).
  const codeless = (request: unknown) => {
    const error = AxiosError.from(new Error('Network connection lost.'), undefined, config, request);
    expect(error.code).toBeUndefined();
    return error;
  };

  it('a request that was made and failed without a code is a transport failure', () => {
    expect(isTransientTransportFailure(codeless({ url: 'http://x/' }))).toBe(true);
    expect(retryReason(codeless({ url: 'http://x/' }), undefined)).toBe('network');
    expect(parsePaymentError(codeless({ url: 'http://x/' })).retryable).toBe(true);
  });

  it('a failure without a code before any request was made (a Request the runtime refused) is not', () => {
    expect(isTransientTransportFailure(codeless(undefined))).toBe(false);
    expect(retryReason(codeless(undefined), undefined)).toBeUndefined();
    expect(parsePaymentError(codeless(undefined)).retryable).toBe(false);
  });

  it.each([
    ['ECONNRESET', true],
    ['ENOTFOUND', false],
    ['ERR_CANCELED', false],
  ])('with a code, the code decides (%s)', (code, transient) => {
    expect(isTransientTransportFailure({ code, request: {} })).toBe(transient);
  });

  it.each([429, 500, 501, 503, 505])('the retry policy and parsePaymentError agree on %i', (s) => {
    expect(retryReason(status(s), undefined) !== undefined).toBe(parsePaymentError(status(s)).retryable);
  });
});

describe('isTransientConnectionFailure (a failed connection may be retried)', () => {
  it.each([
    ['no code: an unknown network failure', undefined, true],
    ['a code that is not a string', 12, true],
    ['a reset connection', 'ECONNRESET', true],
    ['a refused connection', 'ECONNREFUSED', true],
    ['an unknown host', 'ENOTFOUND', false],
    ['a certificate error', 'DEPTH_ZERO_SELF_SIGNED_CERT', false],
    ['an empty code', '', false],
  ])('%s', (_name, code, transient) => {
    expect(isTransientConnectionFailure(code)).toBe(transient);
  });
});
