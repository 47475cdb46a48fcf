import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { parsePaymentError } from '../../src';

/** An axios error carrying the API's answer `status` with `body`. */
function apiError(status: number, body: unknown): AxiosError {
  const config = { headers: {} } as InternalAxiosRequestConfig;
  const response = { status, statusText: '', data: body, headers: {}, config } as AxiosResponse;
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', config, undefined, response);
}

// `unauthorized` is what a caller branches on to re-authenticate: any 401, whatever its code, and
// the provider's token codes, whatever the status; nothing else.
describe('parsePaymentError: unauthorized', () => {
  it.each([
    ['a 401 with a code of its own', 401, { error: { code: 'SESSION_EXPIRED', message: 'log in again' } }],
    ['a 401 without a body', 401, ''],
    ['NO_TOKEN on a 400', 400, { error: { code: 'NO_TOKEN', message: 'no bearer token' } }],
    ['NO_TOKEN on a 403', 403, { error: { code: 'NO_TOKEN', message: 'no bearer token' } }],
    ['INVALID_TOKEN on a 403', 403, { error: { code: 'INVALID_TOKEN', message: 'token revoked' } }],
  ])('is true for %s', (_name, status, body) => {
    expect(parsePaymentError(apiError(status, body)).unauthorized).toBe(true);
  });

  it.each([
    ['a 403 without a token code', 403, { error: { code: 'FORBIDDEN', message: 'not your payment' } }],
    ['a 404', 404, { error: { code: 'NOT_FOUND', message: 'no such payment' } }],
    ['a 400 without a body', 400, ''],
    ['a 500', 500, { error: { code: 'INTERNAL', message: 'try later' } }],
  ])('is false for %s', (_name, status, body) => {
    expect(parsePaymentError(apiError(status, body)).unauthorized).toBe(false);
  });

  it('reads a 401 without a body as HTTP_401, unauthorized and not retryable', () => {
    expect(parsePaymentError(apiError(401, ''))).toEqual({
      status: 401,
      code: 'HTTP_401',
      message: 'Payment API answered 401',
      requestId: undefined,
      retryable: false,
      unauthorized: true,
    });
  });
});
