import { inspect } from 'node:util';
import axios, { type AxiosError } from 'axios';
import { attachPaymentAuth } from '../../src';
import { startPaymentSandbox } from '../../src/testing';
import { rejection } from '../_helpers/rejection';

// With an interceptor in the http module — nock here (loaded for every test file), msw in many
// apps' test suites — the request and the socket behind a stream body also carry a fetch Request
// with the same headers. An error's util.inspect at depth 10 must not show the token there either.

it('a stream error holds no bearer with the http module intercepted', async () => {
  const sandbox = await startPaymentSandbox();
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
  const auth = attachPaymentAuth(api, sandbox.credentials, { retry: false });
  await api.get('/payments');
  sandbox.injectFault('api', { status: 500 });
  const error = (await rejection(api.get('/payments', { responseType: 'stream' }))) as AxiosError;
  expect(error.response?.status).toBe(500);
  const text = inspect(error, { depth: 10, showHidden: true });
  expect(text).toContain('Bearer [REDACTED]');
  for (const token of sandbox.issuedTokens()) expect(text).not.toContain(token);
  (error.response?.data as { destroy(): void }).destroy();
  auth.detach();
  await sandbox.close();
});
