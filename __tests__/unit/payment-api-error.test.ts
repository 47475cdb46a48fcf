import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { PaymentAuthError, isPaymentApiError, parsePaymentError } from '../../src';

function apiError(status: number, data: unknown, headers: Record<string, string> = {}): AxiosError {
  const config = { headers: {} } as InternalAxiosRequestConfig;
  const response = { status, statusText: 'Status', data, headers, config } as AxiosResponse;
  return new AxiosError('Request failed', 'ERR_BAD_RESPONSE', config, undefined, response);
}

describe('parsePaymentError', () => {
  it('reads the Payment API envelope', () => {
    expect(
      parsePaymentError(
        apiError(401, {
          error: { code: 'INVALID_TOKEN', message: 'The bearer token is invalid', request_id: 'req_1' },
        }),
      ),
    ).toEqual({
      status: 401,
      code: 'INVALID_TOKEN',
      message: 'The bearer token is invalid',
      requestId: 'req_1',
      retryable: false,
      unauthorized: true,
    });
  });

  it.each([
    [
      'NO_TOKEN',
      401,
      { error: { code: 'NO_TOKEN', message: 'm' } },
      { code: 'NO_TOKEN', unauthorized: true, retryable: false },
    ],
    [
      'a flat body',
      422,
      { code: 'IDEMPOTENCY_KEY_REUSED', message: 'reused' },
      { code: 'IDEMPOTENCY_KEY_REUSED', message: 'reused' },
    ],
    [
      'an OAuth-style body',
      400,
      { error: 'invalid_request', error_description: 'bad' },
      { code: 'invalid_request', message: 'bad' },
    ],
    [
      'a JSON string body',
      503,
      '{"error":{"code":"DOWN","message":"later"}}',
      { code: 'DOWN', message: 'later', retryable: true },
    ],
    [
      'an HTML body',
      502,
      '<html>Bad gateway</html>',
      { code: 'HTTP_502', message: 'Payment API answered 502 Status', retryable: true },
    ],
    ['an empty body', 500, '', { code: 'HTTP_500', retryable: true }],
    [
      'a Buffer body',
      429,
      Buffer.from('{"error":{"code":"RATE_LIMITED","message":"slow down"}}'),
      { code: 'RATE_LIMITED', retryable: true },
    ],
    ['an array body', 400, [1, 2], { code: 'HTTP_400', retryable: false }],
    ['a 501', 501, {}, { retryable: false }],
  ])('reads %s', (_name, status, body, expected) => {
    expect(parsePaymentError(apiError(status, body))).toMatchObject({ status, ...expected });
  });

  it('takes the request id from X-Request-Id when the body has none', () => {
    expect(parsePaymentError(apiError(500, 'oops', { 'x-request-id': 'req_h' })).requestId).toBe('req_h');
  });

  it('reads transport errors and our own errors', () => {
    expect(parsePaymentError(new AxiosError('socket hang up', 'ECONNRESET'))).toMatchObject({
      status: undefined,
      code: 'ECONNRESET',
      retryable: true,
    });
    expect(parsePaymentError(new PaymentAuthError({ code: 'TOKEN_ENDPOINT_TIMEOUT', message: 'late' }))).toMatchObject({
      code: 'TOKEN_ENDPOINT_TIMEOUT',
      retryable: true,
    });
    expect(
      parsePaymentError(new PaymentAuthError({ code: 'CREDENTIALS_REJECTED', message: 'no', status: 401 })),
    ).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, retryable: false });
    expect(
      parsePaymentError(new PaymentAuthError({ code: 'BODY_NOT_REPLAYABLE', message: 'not replayed', status: 401 })),
    ).toMatchObject({ status: 401, unauthorized: true, retryable: false });
    expect(
      parsePaymentError(new PaymentAuthError({ code: 'CREDENTIALS_REJECTED', message: 'no', status: 401 }))
        .unauthorized,
    ).toBe(false);
    expect(parsePaymentError('weird')).toMatchObject({ code: 'UNKNOWN', message: 'weird' });
    expect(parsePaymentError(null)).toMatchObject({ code: 'UNKNOWN' });
  });

  it('isPaymentApiError is true only for axios errors with a response', () => {
    expect(isPaymentApiError(apiError(404, {}))).toBe(true);
    expect(isPaymentApiError(new AxiosError('x', 'ECONNRESET'))).toBe(false);
    expect(isPaymentApiError(new Error('x'))).toBe(false);
  });
});
