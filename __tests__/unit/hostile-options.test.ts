import axios from 'axios';
import { attachMultiTenantPaymentAuth, attachPaymentAuth, isPaymentAuthError, parsePaymentError } from '../../src';
import { decodeTokenBody } from '../../src/token/token-response';
import { normalizeOptions } from '../../src/options/normalize';
import { createCredentialSource } from '../../src/token/credential-source';
import { shown } from '../../src/util/objects';

// Options and credentials as a hostile or careless caller passes them: values that cannot be
// serialised, secrets in the wrong place, arrays for objects, huge numbers, a polluted
// Object.prototype. Every mistake is a TypeError at attach time that names the function called and
// the option, quotes no secret and stays short; nothing is read from Object.prototype.

const creds = { clientId: 'id', clientSecret: 'secret-value-123' };
const SECRET = 'S3cr3t+/=&%é-do-not-show';
const api = (baseURL = 'https://pay.example.test/api/v1') => axios.create({ baseURL });

/** What an attach throws, with the function that was called. */
function attachError(options: Record<string, unknown>, multi: boolean, baseURL?: string): unknown {
  try {
    if (multi) attachMultiTenantPaymentAuth(api(baseURL), { credentials: () => creds, ...options });
    else attachPaymentAuth(api(baseURL), creds, options);
  } catch (error) {
    return error;
  }
  return undefined;
}

const circular: Record<string, unknown> = {};
circular.self = circular;
const circularArray: unknown[] = [];
circularArray.push(circularArray);
const hostile: [string, unknown][] = [
  ['a circular object', circular],
  ['a circular array', circularArray],
  ['a bigint', 10n],
  [
    'an object whose toJSON throws',
    {
      toJSON: () => {
        throw new Error('toJSON ran');
      },
    },
  ],
  ['a secret', SECRET],
  ['5 MB of text', 'x'.repeat(5_000_000)],
];

/** Options that accept an object, a function or an array as a valid value, or anything at all. */
const OBJECT_OPTIONS = new Set(['store', 'telemetry', 'logger', 'tls', 'dpop', 'breaker', 'retry', 'idempotency']);
const OPTIONS = [
  'tokenUrl',
  'refreshUrl',
  'clientAuthMethod',
  'issuer',
  'assertionAudience',
  'clockSkewMs',
  'tls',
  'dpop',
  'tokenRequestFormat',
  'scope',
  'tokenParams',
  'refreshWindowMs',
  'refreshTokenLifetimeMs',
  'defaultTokenLifetimeMs',
  'maxTokenLifetimeMs',
  'tokenTimeoutMs',
  'tokenRetries',
  'maxRetryAfterMs',
  'breaker',
  'apiOrigins',
  'allowInsecureHttp',
  'dangerouslyAllowBrowser',
  'retry',
  'idempotency',
  'store',
  'storeTimeoutMs',
  'storeLockTtlMs',
  'onStoreError',
  'telemetry',
  'logger',
  'onTokenAcquired',
  'onTokenRefreshed',
  'onAuthError',
  'clock',
];

describe('option values that cannot be shown', () => {
  it.each(OPTIONS.flatMap((option) => hostile.map(([what, value]) => [option, what, value] as const)))(
    '%s: %s is a short TypeError naming the function and the option, with no secret',
    (option, _what, value) => {
      for (const multi of [false, true]) {
        const error = attachError({ [option]: value }, multi);
        // An object-valued option may take an object as it is (a store, a logger): it is checked
        // by its methods. Every other value must be refused.
        if (error === undefined && OBJECT_OPTIONS.has(option) && typeof value === 'object') continue;
        expect(error).toBeInstanceOf(TypeError);
        const { message } = error as TypeError;
        expect(message).toMatch(multi ? /^attachMultiTenantPaymentAuth: / : /^attachPaymentAuth: /);
        expect(message).toContain(option);
        expect(message).not.toContain('S3cr3t');
        expect(message).not.toContain('toJSON ran');
        expect(message.length).toBeLessThan(400);
      }
    },
  );
});

describe('shown(): a value in an error message', () => {
  it.each([
    [3, '3'],
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [2147483647, '2147483647'],
    [1e300, '1e+300'],
    [4111111111111111, 'a number of 16 characters'],
    [-0.4111111111111111, 'a number of 19 characters'],
    [10n, '10n'],
    [4111111111111111n, 'a bigint of 17 characters'],
    ['2147483647', '"2147483647"'],
    ['41111111111', 'a string of 11 characters'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    ['3', '"3"'],
    ['1e3', '"1e3"'],
    ['-10000', '"-10000"'],
    ['true', '"true"'],
    ['false', '"false"'],
    ['null', '"null"'],
    ['', '""'],
    ['HS256', 'a string of 5 characters'],
    ['hunter2', 'a string of 7 characters'],
    ['4111 1111 1111 1111', 'a string of 19 characters'],
    ['4111111111111111', 'a string of 16 characters'],
    ['1234567', '"1234567"'],
    ['x', 'a string of 1 character'],
    [SECRET, `a string of ${SECRET.length} characters`],
    ['a b', 'a string of 3 characters'],
    ['https://user:pw@host', 'a string of 20 characters'],
    ['1234567890123456789012345', 'a string of 25 characters'],
    [[1, 2], 'an array'],
    [circular, 'an object'],
    [Symbol('s'), 'a symbol'],
    [() => 1, 'a function'],
  ])('%p → %s', (value, text) => {
    expect(shown(value)).toBe(text);
  });
});

describe('option names in error messages', () => {
  it.each([
    [{ ['k'.repeat(1_000_000)]: 1 }, /unknown option \(a name of 1000000 characters\)$/],
    [{ 'x\n[ERROR] forged log line': 1 }, /unknown option \(a name of 25 characters\)$/],
    [{ sk_live_51HvZ2eKx9SECRET_and_more_than_32: 1 }, /unknown option \(a name of 41 characters\)$/],
    [
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`opt${i}`, 1])),
      /unknown options opt0, opt1, opt2, opt3, opt4 and 99995 more$/,
    ],
    [{ retry: { 'a\r\nInjected: yes': 1 } }, /unknown retry option \(a name of 16 characters\)$/],
    [{ breaker: { ['b'.repeat(100)]: 1 } }, /unknown breaker option \(a name of 100 characters\)$/],
    [
      { tls: { 'pass=hunter2': 'x', cert: '-----BEGIN ', key: '-----BEGIN ' } },
      /unknown tls option \(a name of 12 characters\)$/,
    ],
    [
      { tokenParams: { ['p'.repeat(1_000_000)]: 1 } },
      /tokenParams\.\(a name of 1000000 characters\) must be a string$/,
    ],
    [{ refreshWindw: 1 }, /unknown option refreshWindw$/],
  ])('%#: a name is quoted only when it reads as one, and a list is cut short', (options, message) => {
    for (const multi of [false, true]) {
      const error = attachError(options, multi) as Error;
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(message);
      expect(error.message.length).toBeLessThan(200);
      expect(error.message).not.toMatch(/[\r\n]|hunter2|SECRET/);
    }
  });
});

describe('options and credentials whose getters or proxies throw', () => {
  const secretGetter = (): never => {
    throw new Error(`vault: passphrase "${SECRET}" expired`);
  };
  const proxy = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error(`proxy keys boom ${SECRET}`);
      },
    },
  );
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  it.each([
    [
      'options with a throwing getter',
      {
        get tokenTimeoutMs(): number {
          return secretGetter();
        },
      },
    ],
    [
      'retry with a throwing getter',
      {
        retry: {
          get retries(): number {
            return secretGetter();
          },
        },
      },
    ],
    [
      'tls with a throwing passphrase getter',
      {
        tls: {
          cert: '-----BEGIN ',
          key: '-----BEGIN ',
          get passphrase(): string {
            return secretGetter();
          },
        },
      },
    ],
    ['dpop as a proxy whose keys throw', { dpop: proxy }],
    ['tokenParams as a proxy whose keys throw', { tokenParams: proxy }],
    ['breaker as a revoked proxy', { breaker: revoked.proxy }],
    ['options as a proxy whose keys throw', proxy],
    ['options as a revoked proxy', revoked.proxy],
  ])('%s: a TypeError naming what could not be read, without its text', (_what, options) => {
    for (const multi of [false, true]) {
      let error: unknown;
      try {
        if (!multi) attachPaymentAuth(api(), creds, options as never);
        else if (options === proxy || options === revoked.proxy) attachMultiTenantPaymentAuth(api(), options as never);
        // The options' own descriptors, with credentials: no getter runs before the attachment reads it.
        else
          attachMultiTenantPaymentAuth(
            api(),
            Object.defineProperties({ credentials: () => creds }, Object.getOwnPropertyDescriptors(options)) as never,
          );
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(
        `${multi ? 'attachMultiTenantPaymentAuth' : 'attachPaymentAuth'}: the options could not be read: a getter or proxy in them threw`,
      );
      expect(String((error as Error).stack)).not.toContain('S3cr3t');
    }
  });

  it('credentials as a proxy whose keys throw: a TypeError without its text', () => {
    expect(() => attachPaymentAuth(api(), proxy as never)).toThrow(
      /^attachPaymentAuth: the credentials could not be read: (a getter or proxy in them threw|reading one of their fields threw)$/,
    );
  });
});

describe('URLs that do not parse', () => {
  it('are refused without quoting them: they may carry a password', () => {
    for (const multi of [false, true]) {
      const base = attachError({}, multi, 'https://svc:hunter2+/=@api.example.com:99999/api/v1');
      expect((base as Error).message).toMatch(/the instance baseURL is not an absolute URL/);
      expect((base as Error).message).not.toContain('hunter2');
      const token = attachError({ tokenUrl: 'https://svc:hunter2%2B@auth.example.com:99999/token' }, multi);
      expect((token as Error).message).toMatch(/tokenUrl is not an absolute URL/);
      expect((token as Error).message).not.toContain('hunter2');
    }
  });
});

describe('arrays where an options object is expected', () => {
  it.each([
    [{ tokenParams: ['a'] }, /tokenParams must be an object of strings/],
    [{ retry: [] }, /retry must be false, a number or an options object/],
    [{ idempotency: [] }, /idempotency must be false or \{ headerName \}/],
    [{ breaker: [] }, /breaker must be false or an options object, got an array/],
    [{ dpop: [] }, /dpop must be true, false or .*got an array/],
    [{ tls: [] }, /tls must be an object .*got an array/],
  ])('%p is refused', (options, message) => {
    for (const multi of [false, true])
      expect(attachError(options, multi)).toEqual(expect.objectContaining({ message: expect.stringMatching(message) }));
  });

  it('an array as the options themselves is refused', () => {
    expect(() => attachPaymentAuth(api(), creds, [] as never)).toThrow(/^attachPaymentAuth: options must be an object/);
    expect(() => attachMultiTenantPaymentAuth(api(), [] as never)).toThrow(
      /^attachMultiTenantPaymentAuth: options must be an object with credentials: .*got an array/,
    );
  });
});

describe('numbers too large to mean anything', () => {
  it.each([
    [{ tokenTimeoutMs: 1e300 }, /tokenTimeoutMs must be a finite number >= 1 and <= 2147483647, got 1e\+300/],
    [{ tokenTimeoutMs: 2 ** 31 }, /tokenTimeoutMs must be .*<= 2147483647/],
    [{ refreshWindowMs: 1e12 }, /refreshWindowMs must be .*<= 2147483647/],
    [{ maxRetryAfterMs: 1e300 }, /maxRetryAfterMs must be .*<= 2147483647/],
    [{ storeTimeoutMs: 1e300 }, /storeTimeoutMs must be .*<= 2147483647/],
    [{ tokenRetries: 101 }, /tokenRetries must be an integer >= 0 and <= 100, got 101/],
    [{ tokenRetries: 1e300 }, /tokenRetries must be an integer >= 0 and <= 100/],
    [{ refreshTokenLifetimeMs: 1e300 }, /refreshTokenLifetimeMs must be .*<= 315360000000/],
    [{ maxTokenLifetimeMs: 4e11 }, /maxTokenLifetimeMs must be .*<= 315360000000/],
    [{ retry: { retries: 1e300 } }, /retry.retries must be an integer >= 0 and <= 100/],
    [{ retry: { retries: 101 } }, /retry.retries must be an integer >= 0 and <= 100, got 101/],
    [{ retry: { baseDelayMs: 1e12 } }, /retry.baseDelayMs must be an integer >= 0 and <= 2147483647/],
    [{ retry: { maxDelayMs: 2 ** 31 } }, /retry.maxDelayMs must be an integer >= 0 and <= 2147483647/],
    [{ retry: { maxRetryAfterMs: 2 ** 31 } }, /retry.maxRetryAfterMs must be an integer >= 0 and <= 2147483647/],
    [{ scope: 'x'.repeat(8193) }, /scope must be at most 8192 characters \(or tokens\)/],
    [{ scope: Array.from({ length: 8193 }, () => 'a') }, /scope must be at most 8192 characters \(or tokens\)/],
    [{ scope: ['x'.repeat(8193)] }, /scope must be a non-empty string or array of scope tokens/],
    [{ storeLockTtlMs: 2 ** 31 }, /storeLockTtlMs must be a finite number >= 100 and <= 2147483647/],
    [
      { idempotency: { headerName: 'X'.repeat(129) } },
      /idempotency.headerName must be a valid header name of at most 128/,
    ],
  ])('%p is refused', (options, message) => {
    for (const multi of [false, true])
      expect(attachError(options, multi)).toEqual(expect.objectContaining({ message: expect.stringMatching(message) }));
  });

  it('the largest values are accepted', () => {
    const normalized = normalizeOptions(
      {
        tokenTimeoutMs: 2 ** 31 - 1,
        tokenRetries: 100,
        refreshTokenLifetimeMs: 315_360_000_000,
        retry: { retries: 100, baseDelayMs: 2 ** 31 - 1, maxDelayMs: 2 ** 31 - 1, maxRetryAfterMs: 2 ** 31 - 1 },
      },
      'https://pay.example.test/api/v1',
    );
    expect(normalized.tokenTimeoutMs).toBe(2 ** 31 - 1);
    expect(normalized.tokenRetries).toBe(100);
    expect(normalized.refreshTokenLifetimeMs).toBe(315_360_000_000);
    expect(normalized.retry).toEqual(expect.objectContaining({ retries: 100, maxDelayMs: 2 ** 31 - 1 }));
  });
});

describe('a polluted Object.prototype', () => {
  const polluted = [
    'tokenUrl',
    'refreshUrl',
    'apiOrigins',
    'retries',
    'headerName',
    'clientSecret',
    'privateKey',
    'credentials',
  ];
  afterEach(() => {
    for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
  });

  it('is never read for an option: the token and refresh URLs stay the API’s own', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.tokenUrl = 'https://evil.example/steal';
    proto.refreshUrl = 'https://evil.example/steal';
    proto.apiOrigins = ['https://evil.example'];
    proto.retries = 50;
    proto.headerName = 'X-Evil';
    const normalized = normalizeOptions({ retry: {}, idempotency: {} }, 'https://pay.example.test/api/v1');
    expect(normalized.tokenUrl).toBe('https://pay.example.test/api/v1/oauth2/token');
    expect(normalized.refreshUrl).toBe('https://pay.example.test/api/v1/oauth2/refresh');
    expect([...normalized.apiOrigins]).toEqual(['https://pay.example.test']);
    expect(normalized.retry?.retries).toBe(2);
    expect(normalized.idempotencyHeader).toBe('Idempotency-Key');
  });

  it('is never read for credentials: a missing secret stays missing, a key is not made up', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.clientSecret = 'from-the-prototype';
    proto.privateKey = { kty: 'EC', d: 'x' };
    expect(() => attachPaymentAuth(api(), { clientId: 'id' } as never)).toThrow(/clientSecret/);
    const source = createCredentialSource(async () => ({ clientId: 'id' }) as never, undefined);
    const failure = await source.get().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPaymentAuthError(failure) && failure.code).toBe('CREDENTIALS_MISSING');
  });

  it('is never read for a token response or an API error body: a planted `error` is not the server’s', async () => {
    (Object.prototype as Record<string, unknown>).error = 'invalid_client';
    const body = decodeTokenBody('{"access_token":"abc","token_type":"Bearer","expires_in":900}', 'application/json');
    expect(body.error).toBeUndefined();
    const apiError = Object.assign(new Error('Request failed with status code 500'), {
      isAxiosError: true,
      response: { status: 500, headers: {}, data: '{"message":"boom"}' },
      config: {},
    });
    expect(parsePaymentError(apiError).code).toBe('HTTP_500');
    delete (Object.prototype as Record<string, unknown>).error;
  });

  it('is never read inside an API error envelope: code, message and request id stay the server’s', () => {
    const proto = Object.prototype as Record<string, unknown>;
    const apiError = (data: unknown) =>
      Object.assign(new Error('Request failed with status code 404'), {
        isAxiosError: true,
        response: { status: 404, headers: { 'x-request-id': 'req_header' }, data },
        config: {},
      });
    proto.code = 'POLLUTED_CODE';
    proto.message = 'polluted message';
    proto.request_id = 'polluted_rid';
    try {
      expect(parsePaymentError(apiError({ error: {} }))).toEqual(
        expect.objectContaining({ code: 'HTTP_404', requestId: 'req_header' }),
      );
      expect(parsePaymentError(apiError({ error: {} })).message).not.toBe('polluted message');
      expect(parsePaymentError(apiError({ error: { code: 'OWN' } }))).toEqual(
        expect.objectContaining({ code: 'OWN', requestId: 'req_header' }),
      );
    } finally {
      delete proto.code;
      delete proto.message;
      delete proto.request_id;
    }
  });

  it('does not give the multi-tenant attachment its credentials', () => {
    (Object.prototype as Record<string, unknown>).credentials = () => creds;
    expect(() => attachMultiTenantPaymentAuth(api(), {} as never)).toThrow(/credentials is required/);
  });
});

describe('credentials whose fields throw when read', () => {
  const throwing = {
    clientId: 'id',
    get clientSecret(): string {
      throw new Error(`vault: permission denied for ${SECRET}`);
    },
  };

  it('fail an acquisition as CREDENTIALS_MISSING (not an outage), without the error’s text', async () => {
    const source = createCredentialSource(() => throwing, undefined);
    const failure = await source.get().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPaymentAuthError(failure)).toBe(true);
    expect(failure).toEqual(expect.objectContaining({ code: 'CREDENTIALS_MISSING' }));
    expect(String((failure as Error).message)).not.toContain('S3cr3t');
  });

  it('are a TypeError at attach time when given as they are, without the error’s text', () => {
    expect(() => attachPaymentAuth(api(), throwing)).toThrow(
      /^attachPaymentAuth: the credentials could not be read: reading one of their fields threw$/,
    );
  });

  it('are read once: what is checked is what is sent', async () => {
    let reads = 0;
    const changing = {
      clientId: 'id',
      get clientSecret(): unknown {
        reads += 1;
        return reads === 1 ? 'valid-secret' : 42;
      },
    };
    const source = createCredentialSource(() => changing, undefined);
    await expect(source.get()).resolves.toEqual({ clientId: 'id', clientSecret: 'valid-secret' });
    expect(reads).toBe(1);
  });
});
