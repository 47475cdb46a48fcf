import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, MemoryTokenStore } from '../../src';
import { startTokenAndApiServer, type RecordingServer } from '../_helpers/servers';

// A replica that died holding the store's lock must not fail the others' requests, whatever the
// lock TTL is next to the acquisition deadline: they wait part of their budget, then fetch in
// process and report the store.
let server: RecordingServer;
beforeAll(async () => {
  nock.restore();
  server = await startTokenAndApiServer((_req, res) => res.end('{}'));
});
afterAll(() => server.close());

it.each([
  ['a lock TTL longer than the deadline', { storeLockTtlMs: 15_000, tokenTimeoutMs: 2_000 }],
  ['a short deadline', { storeLockTtlMs: 5_000, tokenTimeoutMs: 1_000 }],
])('a request succeeds past a dead holder of the lock with %s', async (_name, options) => {
  const store = new MemoryTokenStore();
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const storeErrors: string[] = [];
  const auth = attachPaymentAuth(
    api,
    { clientId: 'id', clientSecret: 'secret' },
    {
      ...options,
      store,
      onStoreError: (error) => void storeErrors.push(error.message),
    },
  );
  // The key the attachment uses: take every lock the store will be asked for.
  const tryLock = store.tryLock.bind(store);
  store.tryLock = async (key, _owner, ttlMs) => tryLock(key, 'dead-replica', ttlMs).then(() => false);
  await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
  expect(storeErrors).toEqual([expect.stringMatching(/^token store lock failed: held by another process/)]);
  auth.detach();
});

it("cleans a store's error that quotes the token it failed to write, in the log and the hook", async () => {
  const store = new MemoryTokenStore();
  store.set = async (_key, token) => {
    throw new Error(`cannot store ${JSON.stringify(token)}\nforged: line`);
  };
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const hooked: string[] = [];
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(
    api,
    { clientId: 'id', clientSecret: 'secret-of-the-client' },
    {
      store,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      onStoreError: (error) => void hooked.push(error.message),
    },
  );
  await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
  const token = await auth.getAccessToken();
  expect(hooked).toEqual([
    expect.stringMatching(/^token store set failed: cannot store \{"accessToken":"\[REDACTED\]"/),
  ]);
  for (const text of [...lines, ...hooked, JSON.stringify(auth.status())]) {
    expect(text).not.toContain(token);
    expect(text).not.toContain('\n');
  }
  expect(lines.some((line) => line.startsWith('warn axios-payment-auth: token store unavailable'))).toBe(true);
  auth.detach();
});
