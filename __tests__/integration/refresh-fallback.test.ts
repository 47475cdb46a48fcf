import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';

// The provider's advice: on a 401, refresh once and retry; if the refresh fails, authenticate from
// scratch. A refresh grant can also "succeed" with tokens the API then rejects: the next renewal
// must then go to client_credentials, not back to the same refresh token for its 24 hours.

let refreshMints: 'good' | 'bad' = 'bad';
let minted = 0;
const accepted = new Set<string>();
let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer('127.0.0.1', (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/v1/oauth2/token') {
      const token = `cc-${++minted}`;
      accepted.add(token);
      return json(200, { access_token: token, refresh_token: `rt-${minted}`, token_type: 'Bearer', expires_in: 900 });
    }
    if (req.url === '/api/v1/oauth2/refresh') {
      const token = `refreshed-${++minted}`;
      if (refreshMints === 'good') accepted.add(token);
      return json(200, { access_token: token, token_type: 'Bearer', expires_in: 900 });
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!accepted.has(token)) return json(401, { error: { code: 'INVALID_TOKEN', message: 'invalid token' } });
    json(200, { data: [] });
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  accepted.clear();
});

const calls = (path: string) => server.requests.filter((r) => r.url === `/api/v1/oauth2/${path}`).length;

function attach() {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: 'secret-1' });
  return { api, auth };
}

describe('a refresh grant that answers 200 with tokens the API rejects', () => {
  it('sends the next renewal to client_credentials: every request succeeds', async () => {
    refreshMints = 'bad';
    const { api, auth } = attach();
    await api.get('/payments');
    auth.invalidate(); // the next request renews with the refresh token
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => api.get('/payments')));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect([calls('refresh'), calls('token')]).toEqual([1, 2]);
    expect(auth.status().counts).toMatchObject({ tokensRefreshed: 1, tokensAcquired: 2 });
    // Later renewals use the new client_credentials token's refresh token again: one chance each.
    auth.invalidate();
    await api.get('/payments');
    expect([calls('refresh'), calls('token')]).toEqual([2, 3]);
    auth.detach();
  });
});

describe('a refresh grant whose token worked before it was revoked', () => {
  it('renews with the refresh token again, as the provider advises', async () => {
    refreshMints = 'good';
    const { api, auth } = attach();
    await api.get('/payments');
    auth.invalidate();
    await api.get('/payments'); // a token from the refresh grant, accepted
    accepted.clear(); // everything revoked
    refreshMints = 'good';
    await api.get('/payments');
    expect([calls('refresh'), calls('token')]).toEqual([2, 1]);
    auth.detach();
  });

  it('renews with the refresh token when the token was revoked before its first use (not the refresh grant)', async () => {
    refreshMints = 'good';
    const { api, auth } = attach();
    await api.get('/payments'); // a client_credentials token, accepted
    accepted.clear();
    await api.get('/payments');
    expect([calls('refresh'), calls('token')]).toEqual([1, 1]);
    auth.detach();
  });
});
