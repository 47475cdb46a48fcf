import { Agent } from 'node:http';
import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth } from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';

// A response the plugin swallows (the 401 before a replay, the 5xx before a retry) never reaches
// the caller, so nobody would read or close its body: with `responseType: 'stream'` it must be
// released by the plugin, or its socket stays busy and a small pool runs dry.

// Real sockets: nock's interceptor (loaded for every file) replaces them with its own.
beforeAll(() => nock.restore());

let sandbox: PaymentSandbox;
beforeEach(async () => {
  sandbox = await startPaymentSandbox();
});
afterEach(() => sandbox.close());

async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

function socketsInUse(agent: Agent): number {
  return Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
}

describe('a streamed request that meets a 401', () => {
  it('frees its socket: with maxSockets 1, the token endpoint and later requests still get through', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpAgent: agent });
    const auth = attachPaymentAuth(api, sandbox.credentials, { tokenTimeoutMs: 3000 });
    await api.get('/payments');
    for (let round = 0; round < 3; round++) {
      sandbox.revokeAccessTokens();
      const response = await api.get('/payments', { responseType: 'stream' });
      expect(response.status).toBe(200);
      expect(JSON.parse(await drain(response.data as NodeJS.ReadableStream))).toHaveProperty('data');
    }
    expect(sandbox.counters()).toMatchObject({ unauthorized: 3, refreshCalls: 3 });
    auth.detach();
    agent.destroy();
  });

  it('leaves no socket in use with the default pool after 20 of them', async () => {
    const agent = new Agent({ keepAlive: true });
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpAgent: agent });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    await api.get('/payments');
    sandbox.revokeAccessTokens();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.get('/payments', { responseType: 'stream' })),
    );
    await Promise.all(responses.map((r) => drain(r.data as NodeJS.ReadableStream)));
    await new Promise((r) => setImmediate(r));
    expect(sandbox.counters().unauthorized).toBe(20);
    expect(socketsInUse(agent)).toBe(0);
    auth.detach();
    agent.destroy();
  });
});

describe('a streamed request that is retried after a 503', () => {
  // No request timeout: without the release the retry waits for the pinned socket forever.
  it('frees the socket of the failed attempt: with maxSockets 1 the retry gets through', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpAgent: agent });
    const auth = attachPaymentAuth(api, sandbox.credentials, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    await api.get('/payments');
    sandbox.injectFault('api', { status: 503 }, 2);
    const response = await api.get('/payments', { responseType: 'stream' });
    expect(response.status).toBe(200);
    await drain(response.data as NodeJS.ReadableStream);
    expect(sandbox.requests.filter((r) => r.route === 'api').map((r) => r.status)).toEqual([200, 503, 503, 200]);
    expect(socketsInUse(agent)).toBe(0);
    auth.detach();
    agent.destroy();
  }, 8000);
});
