import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import axios from 'axios';
import { attachPaymentAuth, type PaymentAuthLogger, type PaymentAuthOptions, type TokenStore } from '../../src';
import { quietTelemetry } from '../_helpers/telemetry';
import { UNPRINTABLES } from '../_helpers/unprintable';
import { startHarness, type Harness } from '../_helpers/sandbox';

// A caller's hook, telemetry, store or credentials provider may throw anything, also a value that
// cannot be turned into a string: String() of an object without a prototype throws, and so does an
// error whose message getter throws. Describing it must not fail the request it was about.

const root = join(__dirname, '..', '..');
const UNPRINTABLE = 'a value that cannot be printed';

const unprintables = UNPRINTABLES;

function recordingLogger() {
  const warnings: [string, unknown][] = [];
  const logger: PaymentAuthLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => void warnings.push([message, fields?.error ?? fields?.message]),
    error: () => undefined,
  };
  return { logger, warnings };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(unprintables)('a caller throwing %s', (_name, bad) => {
  const thrower = () => {
    throw bad();
  };

  it.each<[string, PaymentAuthOptions, string]>([
    ['an onTokenAcquired hook that throws', { onTokenAcquired: thrower }, 'onTokenAcquired hook threw'],
    [
      'an async onTokenAcquired hook that rejects',
      { onTokenAcquired: (async () => thrower()) as never },
      'onTokenAcquired hook rejected',
    ],
    [
      'a telemetry whose recordTokenOutcome throws',
      { telemetry: quietTelemetry({ recordTokenOutcome: thrower }) },
      'telemetry recordTokenOutcome threw',
    ],
    [
      'a telemetry whose traceTokenCall throws',
      { telemetry: quietTelemetry({ traceTokenCall: thrower }) },
      'telemetry traceTokenCall threw',
    ],
  ])('%s: the request succeeds with a token, the throw is logged at warn', async (_case, options, warning) => {
    const { logger, warnings } = recordingLogger();
    h = await startHarness({ ...options, logger, tokenRetries: 0 });
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters().tokenCalls).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toContainEqual([`axios-payment-auth: ${warning}`, UNPRINTABLE]);
  });

  it('an onAuthError hook that throws leaves the request failing as CREDENTIALS_REJECTED', async () => {
    const { logger, warnings } = recordingLogger();
    h = await startHarness({ onAuthError: thrower, logger, tokenRetries: 0 });
    h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } });
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    expect(warnings).toContainEqual(['axios-payment-auth: onAuthError hook threw', UNPRINTABLE]);
  });

  it("a telemetry whose observeExpiry unregister throws: detach() returns, and ejects the plugin's interceptors", async () => {
    const { logger, warnings } = recordingLogger();
    h = await startHarness({ telemetry: quietTelemetry({ observeExpiry: () => thrower }), logger });
    await h.api.get('/payments');
    expect(() => h!.auth.detach()).not.toThrow();
    const left = (m: { handlers?: unknown[] }) => (m.handlers ?? []).filter(Boolean).length;
    expect(left(h.api.interceptors.request as never)).toBe(0);
    expect(left(h.api.interceptors.response as never)).toBe(0);
    expect(warnings).toContainEqual(['axios-payment-auth: telemetry observeExpiry unregister threw', UNPRINTABLE]);
  });

  it('a token store that rejects with it fails like any store: the token is fetched in process', async () => {
    const rejects = async (): Promise<never> => thrower();
    const store: TokenStore = { get: rejects, set: rejects, tryLock: rejects, unlock: rejects };
    const storeErrors: string[] = [];
    h = await startHarness({ store, onStoreError: (error) => storeErrors.push(error.message) });
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters().tokenCalls).toBe(1);
    expect(storeErrors.length).toBeGreaterThan(0);
    expect(storeErrors.every((message) => message.includes(UNPRINTABLE))).toBe(true);
  });
});

it('a credentials provider that throws an error whose name getter throws fails as CREDENTIALS_MISSING', async () => {
  h = await startHarness();
  const api = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
  const auth = attachPaymentAuth(api, () => {
    throw new (class extends Error {
      override get name(): string {
        throw new Error('no name');
      }
    })();
  });
  try {
    await expect(api.get('/payments')).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
      message: expect.stringContaining('Credentials provider failed (object)'),
    });
  } finally {
    auth.detach();
  }
});

describe('a process whose async hook rejects with an object without a prototype', () => {
  // An unhandled rejection ends the process: it must be tried in a child process, on the sources as they are.
  const script = `
const axios = require(${JSON.stringify(require.resolve('axios'))});
const { attachPaymentAuth } = require(${JSON.stringify(join(root, 'src', 'index.ts'))});
const { startPaymentSandbox } = require(${JSON.stringify(join(root, 'src', 'testing', 'index.ts'))});
(async () => {
  const sandbox = await startPaymentSandbox();
  const api = axios.create({ baseURL: sandbox.url + '/api/v1' });
  const auth = attachPaymentAuth(api, sandbox.credentials, {
    onTokenAcquired: async () => { throw Object.create(null); },
  });
  const response = await api.get('/payments');
  await new Promise((resolve) => setImmediate(resolve));
  auth.detach();
  await sandbox.close();
  console.log('request ' + response.status + ', still alive');
})();
`;

  it('keeps running: the request succeeds, and the script exits by its own code', () => {
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
    expect(child.stdout.trim()).toBe('request 200, still alive');
  });
});
