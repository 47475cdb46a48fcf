import { inspect } from 'node:util';
import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { cleanAxiosError } from '../../src/errors/clean-axios-error';
import { parsePaymentError } from '../../src/errors/payment-api-error';

// Error bodies that JSON cannot take, or prints as `{}`, each quoting the token.
const TOKEN = 'at_Zk29xQpLmN3vB8wRt6YhQ4';
const MESSAGE = `token ${TOKEN} may not do this`;

function errorWithBody(data: unknown): AxiosError {
  const config = { headers: {} } as InternalAxiosRequestConfig;
  const error = new AxiosError('Request failed with status code 400', 'ERR_BAD_REQUEST', config, {});
  error.response = { status: 400, statusText: 'Bad Request', headers: {}, config, data } as AxiosResponse;
  return cleanAxiosError(error, [TOKEN]);
}

function expectClean(error: AxiosError): void {
  expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
  expect(inspect(error.response?.data, { depth: Infinity })).not.toContain(TOKEN);
  expect(parsePaymentError(error).message).not.toContain(TOKEN);
}

/** `{ cause: { cause: … null } }`, `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = null;
  for (let i = 0; i < depth; i++) value = { cause: value };
  return value;
}

describe('cleanAxiosError: bodies JSON cannot take', () => {
  it('cleans a body with a member nested deeper than JSON.stringify can go', () => {
    const error = errorWithBody({ error: { code: 'INVALID_TOKEN', message: MESSAGE, details: nested(20_000) } });
    expectClean(error);
    const data = error.response?.data as { error: { code: string; details: { cause: unknown } } };
    expect(data.error.code).toBe('INVALID_TOKEN');
    expect(data.error.details.cause).toEqual({ cause: expect.anything() });
  });

  it('cleans a body with BigInt values, keeping the digits', () => {
    const error = errorWithBody({ error: { code: 'BAD', message: MESSAGE, amount: 12345678901234567890123n } });
    expectClean(error);
    expect(inspect(error.response?.data)).toContain('12345678901234567890123');
  });

  it('cleans a circular body', () => {
    const body: Record<string, unknown> = { error: { code: 'BAD', message: MESSAGE } };
    body.self = body;
    const error = errorWithBody(body);
    expectClean(error);
    const data = error.response?.data as Record<string, unknown>;
    expect(data.self).toBe(data);
  });

  it('cleans a Map body, its keys and values', () => {
    const error = errorWithBody(
      new Map<unknown, unknown>([
        ['code', 'BAD'],
        ['message', MESSAGE],
        [TOKEN, 1],
      ]),
    );
    expectClean(error);
    expect(error.response?.data).toMatchObject({ code: 'BAD' });
  });

  it('cleans a Set body and a FormData body', () => {
    expectClean(errorWithBody(new Set(['BAD', MESSAGE])));
    const form = new FormData();
    form.append('error', 'invalid_request');
    form.append('token', TOKEN);
    const error = errorWithBody(form);
    expectClean(error);
    expect(error.response?.data).toContainEqual(['error', 'invalid_request']);
  });

  it('cleans a circular body that also holds a Map and a BigInt', () => {
    const body: Record<string, unknown> = { n: 1n, inner: new Map([['message', MESSAGE]]) };
    body.self = body;
    expectClean(errorWithBody(body));
  });

  it('leaves such bodies that quote no secret as they are', () => {
    const body: Record<string, unknown> = { n: 1n, inner: new Map([['message', 'fine']]) };
    body.self = body;
    expect(errorWithBody(body).response?.data).toBe(body);
    const deep = { error: { message: 'fine', details: nested(20_000) } };
    expect(errorWithBody(deep).response?.data).toBe(deep);
  });
});
