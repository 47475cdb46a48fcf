import { inspect } from 'node:util';
import axios, { type AxiosError } from 'axios';
import nock from 'nock';
import { attachPaymentAuth, parsePaymentError } from '../../src';
import { rejection } from '../_helpers/rejection';
import { startTokenAndApiServer, type RecordingServer } from '../_helpers/servers';

// An API that quotes the bearer it was sent, in a header and in the body, as some gateways do.
// What reaches the caller is cleaned of it on every path, including the edges below.
const TOKEN = 'at-quoted-7f3a9c';
let server: RecordingServer;
let delayMs = 0;
beforeAll(async () => {
  nock.restore();
  server = await startTokenAndApiServer((req, res) => {
    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    setTimeout(() => {
      res.writeHead(400, {
        'Content-Type': 'application/json',
        'WWW-Authenticate': `Bearer error="invalid_request", token="${bearer}"`,
      });
      res.end(JSON.stringify({ error: { code: 'BAD', message: `token ${bearer} is not allowed here` } }));
    }, delayMs);
  }, TOKEN);
});
afterAll(() => server.close());
beforeEach(() => {
  delayMs = 0;
});

function attach() {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  return { api, auth: attachPaymentAuth(api, { clientId: 'id', clientSecret: 'secret-1' }, { retry: false }) };
}

it("cleans the headers of a stream error's Node response, not only the copy on the error", async () => {
  const { api, auth } = attach();
  const error = (await rejection(api.get('/payments', { responseType: 'stream' }))) as AxiosError;
  const text = inspect(error, { depth: 10, showHidden: true });
  expect(text).toContain('token="[REDACTED]"');
  expect(text).not.toContain(TOKEN);
  (error.response?.data as { destroy(): void }).destroy();
  auth.detach();
});

it('cleans the error of a request that was in flight when detach() was called', async () => {
  const { api, auth } = attach();
  await auth.getAccessToken();
  delayMs = 100;
  const pending = rejection(api.get('/payments'));
  setTimeout(() => auth.detach(), 20);
  const error = (await pending) as AxiosError;
  expect(error.response?.status).toBe(400);
  expect(parsePaymentError(error).message).toBe('token [REDACTED] is not allowed here');
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(TOKEN);
  expect(JSON.stringify(error.response?.data)).not.toContain(TOKEN);
});
