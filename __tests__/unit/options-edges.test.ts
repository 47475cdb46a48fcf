import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import { attachPaymentAuth, type PaymentAuthOptions } from '../../src';

const secretCredentials = { clientId: 'id', clientSecret: 'secret-value-123' };
const api = (baseURL = 'https://api.example-pay.com/api/v1') => axios.create({ baseURL });

/** The message of the TypeError that attaching with `options` throws. */
function attachError(options: PaymentAuthOptions, credentials: object = secretCredentials): string {
  try {
    attachPaymentAuth(api(), credentials as never, options).detach();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected attachPaymentAuth to throw');
}

describe('attachPaymentAuth: the first argument', () => {
  it.each([
    ['axios.create itself (not called)', axios.create],
    ['a function with no request interceptors', Object.assign(() => undefined, { interceptors: {} })],
    [
      'a function whose interceptors.request has no use()',
      Object.assign(() => undefined, { interceptors: { request: {} } }),
    ],
  ])('is refused when it is %s, with what to pass instead', (_name, instance) => {
    expect(() => attachPaymentAuth(instance as never, secretCredentials)).toThrow(
      new TypeError('attachPaymentAuth: the first argument must be an axios instance (axios.create())'),
    );
  });
});

describe('attachPaymentAuth: URL options', () => {
  it.each([
    [{ tokenUrl: '' }, 'attachPaymentAuth: tokenUrl must be a non-empty absolute URL string'],
    [{ refreshUrl: '' }, 'attachPaymentAuth: refreshUrl must be a non-empty absolute URL string'],
    [{ apiOrigins: [''] }, 'attachPaymentAuth: apiOrigins entry must be a non-empty absolute URL string'],
  ])('refuses an empty string (an unset environment variable) as a URL: %j', (options, message) => {
    expect(attachError(options)).toBe(message);
  });

  it.each([
    [{ tokenUrl: 'ftp://auth.example-pay.com/token' }, 'attachPaymentAuth: tokenUrl must use https: (got ftp:)'],
    [{ refreshUrl: 'file:///etc/refresh' }, 'attachPaymentAuth: refreshUrl must use https: (got file:)'],
    [
      { apiOrigins: ['wss://stream.example-pay.com'] },
      'attachPaymentAuth: apiOrigins entry must use https: (got wss:)',
    ],
  ])('refuses a URL that is neither https: nor http:, naming its scheme: %j', (options, message) => {
    expect(attachError(options)).toBe(message);
  });

  it("names the instance's baseURL when its scheme is neither https: nor http:", () => {
    expect(() => attachPaymentAuth(api('ws://api.example-pay.com'), secretCredentials)).toThrow(
      new TypeError('attachPaymentAuth: the instance baseURL must use https: (got ws:)'),
    );
  });
});

describe('attachPaymentAuth: clockSkewMs', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyCredentials = {
    clientId: 'id',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  const range = 'attachPaymentAuth: clockSkewMs must be an integer from -86400000 to 86400000';

  it.each([
    [1.5, `${range}, got 1.5`],
    ['300', `${range}, got "300"`],
    [null, `${range}, got null`],
    [Number.NaN, `${range}, got NaN`],
    [86_400_001, `${range}, got 86400001`],
    [-86_400_001, `${range}, got -86400001`],
  ])('refuses %p: whole milliseconds, at most a day either way', (clockSkewMs, message) => {
    expect(
      attachError({ clientAuthMethod: 'private_key_jwt', clockSkewMs: clockSkewMs as never }, keyCredentials),
    ).toBe(message);
  });

  it.each([86_400_000, -86_400_000, 0])('accepts %p with private_key_jwt', (clockSkewMs) => {
    expect(() => attachPaymentAuth(api(), keyCredentials, { clockSkewMs }).detach()).not.toThrow();
  });
});
