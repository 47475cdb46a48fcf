import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { resolveEndpoint } from '../../src/util/urls';
import { normalizeOptions } from '../../src/options/normalize';

const creds = { clientId: 'id', clientSecret: 'secret-value-123' };
const api = (baseURL?: string) => axios.create({ baseURL });

describe('attach-time validation', () => {
  it.each([
    ['no baseURL', () => attachPaymentAuth(api(), creds), /no baseURL/],
    ['a relative baseURL', () => attachPaymentAuth(api('/api/v1'), creds), /not an absolute URL/],
    [
      'an http baseURL on a public host',
      () => attachPaymentAuth(api('http://api.example-pay.com'), creds),
      /clear text/,
    ],
    [
      'an unknown option',
      () => attachPaymentAuth(api('https://a.test'), creds, { refreshWindow: 5 } as never),
      /unknown option refreshWindow/,
    ],
    [
      'a negative refresh window',
      () => attachPaymentAuth(api('https://a.test'), creds, { refreshWindowMs: -1 }),
      /refreshWindowMs/,
    ],
    [
      'null for a duration (a missing environment variable, parsed)',
      () => attachPaymentAuth(api('https://a.test'), creds, { tokenTimeoutMs: null as never }),
      /tokenTimeoutMs must be a finite number >= 1 and <= 2147483647, got null/,
    ],
    [
      'null for a count',
      () => attachPaymentAuth(api('https://a.test'), creds, { tokenRetries: null as never }),
      /tokenRetries must be an integer >= 0 and <= 100, got null/,
    ],
    ...[
      'Authorization',
      'Proxy-Authorization',
      'content-length',
      'Content-Type',
      'Content-Encoding',
      'Transfer-Encoding',
      'Host',
      'Connection',
      'Cookie',
      'Expect',
      'TE',
      'Trailer',
      'Upgrade',
      'Keep-Alive',
      'DPoP',
    ].map(
      (name) =>
        [
          `${name} as the idempotency header`,
          () => attachPaymentAuth(api('https://a.test'), creds, { idempotency: { headerName: name } }),
          new RegExp(`idempotency.headerName must not be ${name}`),
        ] as [string, () => unknown, RegExp],
    ),
    [
      'a fractional retry count',
      () => attachPaymentAuth(api('https://a.test'), creds, { tokenRetries: 1.5 }),
      /tokenRetries/,
    ],
    [
      'a bad auth method',
      () => attachPaymentAuth(api('https://a.test'), creds, { clientAuthMethod: 'basic' as never }),
      /clientAuthMethod/,
    ],
    ['a relative tokenUrl', () => attachPaymentAuth(api('https://a.test'), creds, { tokenUrl: '/token' }), /tokenUrl/],
    [
      'a tokenUrl with user info',
      () => attachPaymentAuth(api('https://a.test'), creds, { tokenUrl: 'https://u:p@a.test/t' }),
      /user info/,
    ],
    [
      'tokenParams overriding grant_type',
      () => attachPaymentAuth(api('https://a.test'), creds, { tokenParams: { grant_type: 'password' } }),
      /grant_type/,
    ],
    [
      'a logger without error()',
      () => attachPaymentAuth(api('https://a.test'), creds, { logger: { debug() {}, info() {}, warn() {} } as never }),
      /logger/,
    ],
    ['not an axios instance', () => attachPaymentAuth({} as never, creds), /axios instance/],
  ] as [string, () => unknown, RegExp][])('throws a TypeError for %s', (_name, attach, message) => {
    expect(attach).toThrow(TypeError);
    expect(attach).toThrow(message);
  });

  it.each([
    ['missing credentials fields', { clientId: 'id' }, /clientSecret must be a string/],
    ['an empty client id', { clientId: ' ', clientSecret: 's' }, /clientId is empty/],
    ['a string instead of an object', 'id:secret', /credentials must be an object/],
  ])('throws a TypeError for %s, without echoing the values', (_name, credentials, message) => {
    const attach = () => attachPaymentAuth(api('https://a.test'), credentials as never);
    expect(attach).toThrow(TypeError);
    expect(attach).toThrow(message);
  });

  it('refuses a second attachment to the same instance until the first is detached', () => {
    const instance = api('https://a.test');
    const first = attachPaymentAuth(instance, creds);
    expect(() => attachPaymentAuth(instance, creds)).toThrow(/already has payment auth attached/);
    first.detach();
    attachPaymentAuth(instance, creds).detach();
    expect(instance.interceptors.request).toBeDefined();
  });

  it('bounds the store lock TTL to what a timer and a store can take', () => {
    expect(normalizeOptions({ storeLockTtlMs: 2 ** 31 - 1 }, 'https://a.test').storeLockTtlMs).toBe(2 ** 31 - 1);
    expect(() => normalizeOptions({ storeLockTtlMs: 1e22 }, 'https://a.test')).toThrow(
      /storeLockTtlMs must be a finite number >= 100 and <= 2147483647, got 1e\+22/,
    );
  });

  it("does not modify the caller's options object", () => {
    const options = Object.freeze({ scope: ['a', 'b'], apiOrigins: Object.freeze(['https://b.test']) });
    const auth = attachPaymentAuth(api('https://a.test'), creds, options);
    expect(options).toEqual({ scope: ['a', 'b'], apiOrigins: ['https://b.test'] });
    auth.detach();
  });

  it('allows http on loopback without opting in', () => {
    attachPaymentAuth(api('http://127.0.0.1:9'), creds).detach();
    attachPaymentAuth(api('http://localhost:9'), creds).detach();
  });
});

describe('credentials from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads PAYMENT_CLIENT_ID and PAYMENT_CLIENT_SECRET when no credentials are given', async () => {
    process.env.PAYMENT_CLIENT_ID = 'env-id';
    process.env.PAYMENT_CLIENT_SECRET = 'env-secret';
    expect(() => attachPaymentAuth(api('https://a.test')).detach()).not.toThrow();
  });

  it('refuses blank variables as it refuses blank credentials', () => {
    process.env.PAYMENT_CLIENT_ID = '   ';
    process.env.PAYMENT_CLIENT_SECRET = 'x';
    expect(() => attachPaymentAuth(api('https://a.test'))).toThrow(/PAYMENT_CLIENT_ID not set \(or blank\)/);
    process.env.PAYMENT_CLIENT_ID = 'id';
    process.env.PAYMENT_CLIENT_SECRET = '\t';
    expect(() => attachPaymentAuth(api('https://a.test'))).toThrow(/PAYMENT_CLIENT_SECRET not set \(or blank\)/);
  });

  it('names the missing variables', () => {
    delete process.env.PAYMENT_CLIENT_ID;
    process.env.PAYMENT_CLIENT_SECRET = 'x';
    expect(() => attachPaymentAuth(api('https://a.test'))).toThrow(/PAYMENT_CLIENT_ID not set/);
    delete process.env.PAYMENT_CLIENT_SECRET;
    expect(() => attachPaymentAuth(api('https://a.test'))).toThrow(
      /PAYMENT_CLIENT_ID and PAYMENT_CLIENT_SECRET not set/,
    );
  });
});

describe('browser runtimes', () => {
  const g = globalThis as Record<string, unknown>;
  afterEach(() => {
    delete g.window;
    delete g.importScripts;
  });

  it('refuses to attach where there is a window with a document', () => {
    g.window = { document: {} };
    expect(() => attachPaymentAuth(api('https://a.test'), creds)).toThrow(/refusing to run in a browser/);
  });

  it('refuses to attach in a web worker', () => {
    g.importScripts = () => undefined;
    expect(() => attachPaymentAuth(api('https://a.test'), creds)).toThrow(TypeError);
  });

  it('attaches when dangerouslyAllowBrowser is set', () => {
    g.window = { document: {} };
    expect(() =>
      attachPaymentAuth(api('https://a.test'), creds, { dangerouslyAllowBrowser: true }).detach(),
    ).not.toThrow();
  });

  // What workerd defines (docs/runtimes.md): a WorkerGlobalScope class that its global is not an
  // instance of, a ServiceWorkerGlobalScope, self, navigator: a server. A Deno worker's global is
  // a WorkerGlobalScope, without importScripts: a server too. A browser's worker has importScripts.
  it('attaches in workerd and in a Deno worker; refuses a browser worker', () => {
    class WorkerGlobalScope {}
    g.WorkerGlobalScope = WorkerGlobalScope;
    g.self = globalThis;
    try {
      expect(() => attachPaymentAuth(api('https://a.test'), creds).detach()).not.toThrow();
      g.self = new WorkerGlobalScope(); // Deno's new Worker()
      expect(() => attachPaymentAuth(api('https://a.test'), creds).detach()).not.toThrow();
      g.importScripts = () => undefined; // a browser's worker
      expect(() => attachPaymentAuth(api('https://a.test'), creds)).toThrow(/refusing to run in a browser/);
    } finally {
      delete g.WorkerGlobalScope;
      delete g.self;
    }
  });

  it("does not mistake Node's global navigator for a browser", () => {
    expect('window' in g).toBe(false);
    expect(() => attachPaymentAuth(api('https://a.test'), creds).detach()).not.toThrow();
  });
});

describe('endpoint resolution', () => {
  it.each([
    ['https://pay.test', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/api/v1', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/api/v1/', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/api/v1//', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/gateway', 'https://pay.test/gateway/api/v1/oauth2/token'],
    ['https://pay.test/gateway/api/v1', 'https://pay.test/gateway/api/v1/oauth2/token'],
    ['https://pay.test/gateway//', 'https://pay.test/gateway/api/v1/oauth2/token'],
    // A path under the API, or its first segment only, is the API root too.
    ['https://pay.test/api', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/api/', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/api/v1/payments', 'https://pay.test/api/v1/oauth2/token'],
    ['https://pay.test/gateway/api', 'https://pay.test/gateway/api/v1/oauth2/token'],
    ['https://pay.test/gateway/api/v1/payments/', 'https://pay.test/gateway/api/v1/oauth2/token'],
    // Only whole segments count.
    ['https://pay.test/api/v10', 'https://pay.test/api/v10/api/v1/oauth2/token'],
    ['https://pay.test/apis', 'https://pay.test/apis/api/v1/oauth2/token'],
    ['https://pay.test/my-api', 'https://pay.test/my-api/api/v1/oauth2/token'],
  ])('resolves the token URL against %s', (base, expected) => {
    expect(resolveEndpoint(new URL(base), '/api/v1/oauth2/token')).toBe(expected);
  });
});

// The refresh request carries the client secret: by default it goes only where the token request
// goes, never to the API's host when the token URL is elsewhere.
describe('the default refresh URL', () => {
  it.each([
    ['no tokenUrl: beside the default token URL', undefined, 'https://api.test/api/v1/oauth2/refresh'],
    [
      'a tokenUrl in the Payment API layout on another host',
      'https://auth.test/api/v1/oauth2/token',
      'https://auth.test/api/v1/oauth2/refresh',
    ],
    [
      'a tokenUrl of an identity provider: the refresh grant goes to the token URL',
      'https://idp.test/oauth/token',
      'https://idp.test/oauth/token',
    ],
    ['a tokenUrl on the API host', 'https://api.test/api/v1/oauth2/token', 'https://api.test/api/v1/oauth2/refresh'],
  ])('%s', (_name, tokenUrl, refreshUrl) => {
    expect(normalizeOptions(tokenUrl ? { tokenUrl } : {}, 'https://api.test/api/v1').refreshUrl).toBe(refreshUrl);
  });

  it('is on the token URL when there is no baseURL', () => {
    expect(
      normalizeOptions({ tokenUrl: 'https://idp.test/token', apiOrigins: ['https://api.test'] }, undefined).refreshUrl,
    ).toBe('https://idp.test/token');
  });
});

describe('the breaker option', () => {
  const breaker = (value: unknown) => normalizeOptions({ breaker: value as never }, 'https://a.test').breaker;

  it('has defaults, takes each field, and turns off with false', () => {
    expect(breaker(undefined)).toEqual({ enabled: true, failureThreshold: 2, coolDownMs: 1000, maxCoolDownMs: 30_000 });
    expect(breaker({ failureThreshold: 1, coolDownMs: 250, maxCoolDownMs: 250 })).toEqual({
      enabled: true,
      failureThreshold: 1,
      coolDownMs: 250,
      maxCoolDownMs: 250,
    });
    expect(breaker({})).toEqual(breaker(undefined));
    expect(breaker(false)).toEqual({
      enabled: false,
      failureThreshold: Infinity,
      coolDownMs: 1000,
      maxCoolDownMs: 30_000,
    });
  });

  it.each([
    [null, /breaker must be false or an options object, got null/],
    [true, /breaker must be false or an options object, got true/],
    [0, /breaker must be false or an options object, got 0/],
    ['', /breaker must be false or an options object, got ""/],
    [[], /breaker must be false or an options object/],
    [{ threshold: 3 }, /unknown breaker option threshold/],
    [{ a: 1, b: 2 }, /unknown breaker options a, b/],
    [{ failureThreshold: 0 }, /breaker.failureThreshold must be an integer from 1 to 1000, got 0/],
    [{ failureThreshold: 1.5 }, /breaker.failureThreshold must be an integer/],
    [{ failureThreshold: 1001 }, /breaker.failureThreshold must be an integer from 1 to 1000, got 1001/],
    [{ failureThreshold: null }, /breaker.failureThreshold must be an integer from 1 to 1000, got null/],
    [{ coolDownMs: 0 }, /breaker.coolDownMs must be an integer from 1 to 2147483647, got 0/],
    [{ coolDownMs: '1000' }, /breaker.coolDownMs must be an integer/],
    [{ coolDownMs: NaN }, /breaker.coolDownMs must be an integer/],
    [{ maxCoolDownMs: 2 ** 31 }, /breaker.maxCoolDownMs must be an integer from 1 to 2147483647/],
    [
      { coolDownMs: 5000, maxCoolDownMs: 4000 },
      /breaker.maxCoolDownMs \(4000\) must not be below breaker.coolDownMs \(5000\)/,
    ],
    [{ coolDownMs: 40_000 }, /breaker.maxCoolDownMs \(30000\) must not be below breaker.coolDownMs \(40000\)/],
  ])('refuses %p at attach', (value, message) => {
    expect(() => attachPaymentAuth(api('https://a.test'), creds, { breaker: value as never })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(message) }),
    );
  });
});

describe('values that are refused at attach, not taken as a default or sent', () => {
  it.each([
    [{ retry: { retries: null } }, /retry.retries must be an integer >= 0 and <= 100, got null/],
    [{ retry: { baseDelayMs: null } }, /retry.baseDelayMs must be an integer >= 0 and <= 2147483647, got null/],
    [{ idempotency: { headerName: null } }, /idempotency.headerName must be a valid header name/],
    [{ breaker: { failureThreshold: NaN } }, /breaker.failureThreshold must be an integer from 1 to 1000, got NaN/],
    [{ tokenTimeoutMs: NaN }, /tokenTimeoutMs must be a finite number >= 1 and <= 2147483647, got NaN/],
    [{ tokenTimeoutMs: Infinity }, /got Infinity/],
    [{ allowInsecureHttp: 'true' }, /allowInsecureHttp must be true or false, got "true"/],
    [{ dangerouslyAllowBrowser: 1 }, /dangerouslyAllowBrowser must be true or false, got 1/],
    [{ scope: 'read\r\nX-Evil: 1' }, /scope must be a non-empty string or array of scope tokens/],
    [{ scope: ['read', null] }, /scope must be/],
    [{ scope: ['a b'] }, /scope must be/],
    [{ scope: ['a', {}] }, /scope must be/],
    [{ scope: '   ' }, /scope must be/],
    [{ scope: [] }, /scope must be/],
    [{ tokenParams: { audience: '\u0000\u001b[31m' } }, /tokenParams.audience must not hold control characters/],
    [{ tokenParams: { '': 'x' } }, /tokenParams names must be non-empty/],
  ])('%p', (options, message) => {
    expect(() => attachPaymentAuth(api('https://a.test'), creds, options as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(message) }),
    );
  });

  it.each([
    [{ clientId: 'id\r\nX: 1', clientSecret: 's' }, /clientId holds a control character/],
    [
      { clientId: 'id', clientSecret: 'secret\n' },
      /clientSecret holds a control character \(a line end read from a file\?\)/,
    ],
    [{ clientId: 'id', clientSecret: '\u0000' }, /clientSecret holds a control character/],
  ])('credentials %p', (credentials, message) => {
    expect(() => attachPaymentAuth(api('https://a.test'), credentials)).toThrow(message);
  });

  it('takes a scope string of several tokens, and an array, as the same scope', () => {
    expect(normalizeOptions({ scope: ' payments:read  payments:write ' }, 'https://a.test').tokenParams.scope).toBe(
      'payments:read payments:write',
    );
    expect(normalizeOptions({ scope: ['payments:read', 'payments:write'] }, 'https://a.test').tokenParams.scope).toBe(
      'payments:read payments:write',
    );
  });
});
