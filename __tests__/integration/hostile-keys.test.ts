import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, isPaymentAuthError, type CredentialsInput } from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';

// Keys and texts a caller (or a secrets manager behind a credentials provider) may hand over, each
// of which once took the process down or was reported as an outage of the token endpoint.

const root = join(__dirname, '..', '..');

describe('a process given a private key whose JWK form Node cannot write', () => {
  // A native abort cannot be caught: it must be tried in a child process, on the sources as they are.
  const script = `
const crypto = require('node:crypto');
const axios = require(${JSON.stringify(require.resolve('axios'))});
const { attachPaymentAuth } = require(${JSON.stringify(join(root, 'src', 'index.ts'))});
const jwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const bad = { ...jwk, d: jwk.d + 'AAAA' };
// Node 20 takes such a JWK as a KeyObject (whose JWK export aborts); later Nodes refuse it here.
let keyObject;
try { keyObject = crypto.createPrivateKey({ key: bad, format: 'jwk' }); } catch { keyObject = undefined; }
const tokenUrl = 'http://127.0.0.1:9/token'; // never called: the key is refused first
const cases = {
  'credentials JWK': (api) => attachPaymentAuth(api, { clientId: 'c', privateKey: bad, keyId: 'k1' }, { tokenUrl }),
  'credentials KeyObject': (api) => attachPaymentAuth(api, { clientId: 'c', privateKey: keyObject ?? bad }, { tokenUrl }),
  'dpop JWK': (api) => attachPaymentAuth(api, { clientId: 'c', clientSecret: 's' }, { dpop: { privateKey: bad }, tokenUrl }),
  'dpop KeyObject': (api) => attachPaymentAuth(api, { clientId: 'c', clientSecret: 's' }, { dpop: { privateKey: keyObject ?? bad }, tokenUrl }),
  'provider JWK': (api) => attachPaymentAuth(api, async () => ({ clientId: 'c', privateKey: bad }), { clientAuthMethod: 'private_key_jwt', tokenUrl }),
};
(async () => {
  for (const [name, attach] of Object.entries(cases)) {
    const auth = attach(axios.create({ baseURL: 'https://api.example-pay.com/api/v1' }));
    const error = await auth.getAccessToken().then(() => undefined, (e) => e);
    console.log(name + ': ' + (error && error.code));
    auth.detach();
  }
  console.log('still alive');
})();
`;

  it('fails each token call as CREDENTIALS_MISSING and exits by its own code, never aborts', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ signal: child.signal, status: child.status, stderr: child.stderr }).toEqual({
      signal: null,
      status: 0,
      stderr: '',
    });
    expect(child.stdout.trim().split('\n')).toEqual([
      'credentials JWK: CREDENTIALS_MISSING',
      'credentials KeyObject: CREDENTIALS_MISSING',
      'dpop JWK: CREDENTIALS_MISSING',
      'dpop KeyObject: CREDENTIALS_MISSING',
      'provider JWK: CREDENTIALS_MISSING',
      'still alive',
    ]);
  });
});

// (A key that would abort is tried in the child process above only: here, it would end jest's worker.)
describe('a credentials provider that returns what cannot be used', () => {
  // Real sockets: nock must not stand between the client and the sandbox.
  beforeAll(() => nock.restore());

  let sandbox: PaymentSandbox;
  beforeEach(async () => {
    sandbox = await startPaymentSandbox();
  });
  afterEach(async () => sandbox.close());

  const secretText = 'vault read failed: S3cr3t-d';
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const lazy = {
    ...jwk,
    get d(): string {
      throw new Error(secretText);
    },
  };

  it.each([
    ['a JWK whose getter throws', { privateKey: lazy }],
    ['a Proxy that throws around a JWK', { privateKey: new Proxy(jwk, { get: () => assertNever(secretText) }) }],
  ])('%s: CREDENTIALS_MISSING each time, no token call, the breaker closed', async (_what, key) => {
    const provider = async () => ({ clientId: sandbox.credentials.clientId, ...key });
    await expectNoOutage(provider as CredentialsInput, 'private_key_jwt');
  });

  it.each(['clientId', 'clientSecret'])('a %s with a lone surrogate: the same', async (field) => {
    const provider = async () => ({ ...sandbox.credentials, [field]: 'pässwörd-🔑'.slice(0, -1) });
    await expectNoOutage(provider, 'client_secret_basic');
  });

  async function expectNoOutage(credentials: CredentialsInput, clientAuthMethod: string): Promise<void> {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, credentials, {
      clientAuthMethod: clientAuthMethod as never,
      breaker: { failureThreshold: 2 },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const error = await api.get('/payments').then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(isPaymentAuthError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'CREDENTIALS_MISSING' });
        expect(String((error as Error).stack)).not.toContain('S3cr3t');
        expect(String((error as Error).stack)).not.toContain('pässwörd');
      }
      expect(sandbox.counters().tokenCalls).toBe(0);
      expect(auth.status().breaker.state).toBe('closed');
    } finally {
      auth.detach();
    }
  }
});

function assertNever(text: string): never {
  throw new Error(text);
}
