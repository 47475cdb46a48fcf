import { PaymentAuthError } from '../../src/errors/payment-auth-error';
import type { PaymentAuthLogger, TokenEvent } from '../../src/observability/hooks';
import { createReporter } from '../../src/observability/reporter';
import type { PaymentAuthTelemetry } from '../../src/observability/telemetry';
import { StoreUnavailable } from '../../src/store/store-unavailable';
import { UNPRINTABLES } from '../_helpers/unprintable';

function recordingLogger() {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  const logger: PaymentAuthLogger = {
    debug: (m, f) => lines.push(['debug', m, f]),
    info: (m, f) => lines.push(['info', m, f]),
    warn: (m, f) => lines.push(['warn', m, f]),
    error: (m, f) => lines.push(['error', m, f]),
  };
  return { logger, lines };
}

function recordingTelemetry() {
  const calls: unknown[][] = [];
  const telemetry: PaymentAuthTelemetry = {
    traceTokenCall: (info, run, describe) => {
      calls.push(['traceTokenCall', info, typeof describe]);
      return run();
    },
    recordTokenOutcome: (o) => void calls.push(['recordTokenOutcome', o]),
    recordUnauthorized: (r) => void calls.push(['recordUnauthorized', r]),
    recordRetry: (r) => void calls.push(['recordRetry', r]),
    recordIdempotencyKey: () => void calls.push(['recordIdempotencyKey']),
    observeExpiry: () => () => undefined,
  };
  return { telemetry, calls };
}

const NO_HOOKS = {
  onTokenAcquired: undefined,
  onTokenRefreshed: undefined,
  onAuthError: undefined,
  onStoreError: undefined,
};

function event(grant: TokenEvent['grant']): TokenEvent {
  return { grant, fingerprint: 'abcd1234', generation: 1, expiresInMs: 900_000, durationMs: 12 };
}

function reporterWith(overrides: Partial<Parameters<typeof createReporter>[0]> = {}) {
  const { logger, lines } = recordingLogger();
  const { telemetry, calls } = recordingTelemetry();
  const reporter = createReporter({ ...NO_HOOKS, logger, telemetry, clock: () => 1_000, ...overrides });
  return { reporter, lines, calls };
}

const ZERO = {
  tokensAcquired: 0,
  tokensRefreshed: 0,
  fallbacks: 0,
  failures: 0,
  unauthorized: 0,
  replays: 0,
  retries: 0,
  idempotencyKeys: 0,
  shortCircuited: 0,
};

describe('createReporter', () => {
  it('starts with every count at zero and no last error', () => {
    const { reporter } = reporterWith();
    expect(reporter.counts).toEqual(ZERO);
    expect(reporter.lastError).toBeUndefined();
  });

  it('counts, measures, logs and calls the hook of an acquired token', () => {
    const onTokenAcquired = jest.fn();
    const onTokenRefreshed = jest.fn();
    const { reporter, lines, calls } = reporterWith({ onTokenAcquired, onTokenRefreshed });
    reporter.tokenIssued(event('client_credentials'), false);
    expect(reporter.counts).toEqual({ ...ZERO, tokensAcquired: 1 });
    expect(calls).toEqual([['recordTokenOutcome', 'acquired']]);
    expect(lines).toEqual([
      ['debug', 'axios-payment-auth: token acquired', { ...event('client_credentials'), fallback: false }],
    ]);
    expect(onTokenAcquired).toHaveBeenCalledWith(event('client_credentials'));
    expect(onTokenRefreshed).not.toHaveBeenCalled();
  });

  it('counts a fallback as an acquisition and a fallback', () => {
    const onTokenAcquired = jest.fn();
    const { reporter, lines, calls } = reporterWith({ onTokenAcquired });
    reporter.tokenIssued(event('client_credentials'), true);
    expect(reporter.counts).toEqual({ ...ZERO, tokensAcquired: 1, fallbacks: 1 });
    expect(calls).toEqual([['recordTokenOutcome', 'fallback']]);
    expect(lines[0]![2]).toEqual({ ...event('client_credentials'), fallback: true });
    expect(onTokenAcquired).toHaveBeenCalledTimes(1);
  });

  it('counts, measures, logs and calls the hook of a refreshed token', () => {
    const onTokenAcquired = jest.fn();
    const onTokenRefreshed = jest.fn();
    const { reporter, lines, calls } = reporterWith({ onTokenAcquired, onTokenRefreshed });
    reporter.tokenIssued(event('refresh_token'), false);
    reporter.tokenIssued(event('refresh_token'), false);
    expect(reporter.counts).toEqual({ ...ZERO, tokensRefreshed: 2 });
    expect(calls).toEqual([
      ['recordTokenOutcome', 'refreshed'],
      ['recordTokenOutcome', 'refreshed'],
    ]);
    expect(lines[0]!.slice(0, 2)).toEqual(['debug', 'axios-payment-auth: token refreshed']);
    expect(onTokenRefreshed).toHaveBeenCalledWith(event('refresh_token'));
    expect(onTokenAcquired).not.toHaveBeenCalled();
  });

  it('records a failure: count, last error with the clock, outcome, an error line without secrets, the hook', () => {
    const onAuthError = jest.fn();
    const { reporter, lines, calls } = reporterWith({ onAuthError, clock: () => 42 });
    const error = new PaymentAuthError({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      message: 'token endpoint answered 503',
      status: 503,
    });
    reporter.authError(error);
    expect(reporter.counts).toEqual({ ...ZERO, failures: 1 });
    expect(reporter.lastError).toEqual({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      message: 'token endpoint answered 503',
      at: 42,
    });
    expect(calls).toEqual([['recordTokenOutcome', 'failed']]);
    expect(lines).toEqual([
      [
        'error',
        'axios-payment-auth: token acquisition failed',
        {
          code: 'TOKEN_ENDPOINT_UNAVAILABLE',
          status: 503,
          oauthError: undefined,
          message: 'token endpoint answered 503',
        },
      ],
    ]);
    expect(onAuthError).toHaveBeenCalledWith(error);
  });

  it('records a store outage as the last error, with a warning and the hook, and counts no failure', () => {
    const onStoreError = jest.fn();
    const { reporter, lines, calls } = reporterWith({ onStoreError, clock: () => 7 });
    const error = new StoreUnavailable('get', 'ECONNREFUSED');
    reporter.storeError(error, 'fetching in process');
    expect(reporter.counts).toEqual(ZERO);
    expect(reporter.lastError).toEqual({ code: 'TOKEN_STORE_UNAVAILABLE', message: error.message, at: 7 });
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      [
        'warn',
        'axios-payment-auth: token store unavailable, fetching in process',
        { operation: 'get', message: error.message },
      ],
    ]);
    expect(onStoreError).toHaveBeenCalledWith(error);
  });

  it('counts 401s and replays apart', () => {
    const { reporter, lines, calls } = reporterWith();
    reporter.unauthorized(true);
    reporter.unauthorized(false);
    expect(reporter.counts).toEqual({ ...ZERO, unauthorized: 2, replays: 1 });
    expect(calls).toEqual([
      ['recordUnauthorized', true],
      ['recordUnauthorized', false],
    ]);
    expect(lines.map(([level, message]) => [level, message])).toEqual([
      ['debug', 'axios-payment-auth: 401 received, replaying the request once'],
      ['debug', 'axios-payment-auth: 401 received, not replayed'],
    ]);
  });

  it('counts retries and idempotency keys, and measures them', () => {
    const { reporter, calls, lines } = reporterWith();
    reporter.retry('status 503');
    reporter.idempotencyKey();
    reporter.idempotencyKey();
    expect(reporter.counts).toEqual({ ...ZERO, retries: 1, idempotencyKeys: 2 });
    expect(calls).toEqual([['recordRetry', 'status 503'], ['recordIdempotencyKey'], ['recordIdempotencyKey']]);
    expect(lines).toEqual([]);
  });

  it('prefixes every log line and passes the fields on', () => {
    const { reporter, lines } = reporterWith();
    reporter.log('info', 'hello', { a: 1 });
    reporter.log('warn', 'bare');
    expect(lines).toEqual([
      ['info', 'axios-payment-auth: hello', { a: 1 }],
      ['warn', 'axios-payment-auth: bare', undefined],
    ]);
  });

  it('only counts without a logger, hooks or telemetry', () => {
    const reporter = createReporter({ ...NO_HOOKS, logger: undefined, telemetry: undefined, clock: () => 0 });
    expect(() => {
      reporter.log('error', 'nobody listens');
      reporter.tokenIssued(event('client_credentials'), true);
      reporter.authError(new PaymentAuthError({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', message: 'x' }));
      reporter.unauthorized(true);
      reporter.retry('network');
      reporter.idempotencyKey();
    }).not.toThrow();
    expect(reporter.counts).toEqual({
      ...ZERO,
      tokensAcquired: 1,
      fallbacks: 1,
      failures: 1,
      unauthorized: 1,
      replays: 1,
      retries: 1,
      idempotencyKeys: 1,
    });
  });

  it('never throws into a request: a throwing logger, hook or telemetry is caught, the hook and telemetry logged', () => {
    const { logger, lines } = recordingLogger();
    const throwingHook = () => {
      throw new Error('hook broke');
    };
    const throwingTelemetry = {
      ...recordingTelemetry().telemetry,
      recordTokenOutcome: () => {
        throw new Error('meter broke');
      },
      recordRetry: () => {
        throw 'not an error';
      },
    };
    const reporter = createReporter({
      ...NO_HOOKS,
      onTokenAcquired: throwingHook,
      logger,
      telemetry: throwingTelemetry,
      clock: () => 0,
    });
    reporter.tokenIssued(event('client_credentials'), false);
    reporter.retry('network');
    expect(lines.filter(([level]) => level === 'warn')).toEqual([
      ['warn', 'axios-payment-auth: telemetry recordTokenOutcome threw', { error: 'meter broke' }],
      ['warn', 'axios-payment-auth: onTokenAcquired hook threw', { error: 'hook broke' }],
      ['warn', 'axios-payment-auth: telemetry recordRetry threw', { error: 'not an error' }],
    ]);

    const brokenLogger = { debug: throwingHook, info: throwingHook, warn: throwingHook, error: throwingHook };
    const quiet = createReporter({
      ...NO_HOOKS,
      onTokenAcquired: throwingHook,
      logger: brokenLogger,
      telemetry: undefined,
      clock: () => 0,
    });
    expect(() => quiet.tokenIssued(event('client_credentials'), false)).not.toThrow();
  });

  it('catches what an async hook, telemetry or logger rejects with, and logs it as rejected', async () => {
    const { logger, lines } = recordingLogger();
    const rejecting = (message: unknown) => () => Promise.reject(message);
    const reporter = createReporter({
      ...NO_HOOKS,
      onTokenAcquired: rejecting(new Error('hook down')) as never,
      logger: { ...logger, debug: rejecting(new Error('debug down')) as never },
      telemetry: { ...recordingTelemetry().telemetry, recordRetry: rejecting('meter down') as never },
      clock: () => 0,
    });
    reporter.tokenIssued(event('client_credentials'), false);
    reporter.retry('network');
    // A thenable that is not a Promise is caught too.
    reporter.hook(
      'onThenable',
      () => ({ then: (_: unknown, reject: (e: Error) => void) => reject(new Error('then down')) }),
      1,
    );
    await new Promise((resolve) => setImmediate(resolve));
    const warnings = lines
      .filter(([level]) => level === 'warn')
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(warnings).toEqual([
      ['warn', 'axios-payment-auth: onThenable hook rejected', { error: 'then down' }],
      ['warn', 'axios-payment-auth: onTokenAcquired hook rejected', { error: 'hook down' }],
      ['warn', 'axios-payment-auth: telemetry recordRetry rejected', { error: 'meter down' }],
    ]);
  });

  it('calls a named user hook with its argument, and logs what it throws', () => {
    const { reporter, lines } = reporterWith();
    const hook = jest.fn();
    reporter.hook('onAnything', hook, 5);
    expect(hook).toHaveBeenCalledWith(5);
    reporter.hook('onAnything', undefined, 5);
    reporter.hook(
      'onBroken',
      () => {
        throw new Error('nope');
      },
      1,
    );
    expect(lines).toEqual([['warn', 'axios-payment-auth: onBroken hook threw', { error: 'nope' }]]);
  });
});

describe('createReporter: observeExpiry', () => {
  it('registers the reader with the telemetry and unregisters it once', () => {
    const unregister = jest.fn();
    const observeExpiry = jest.fn((_read: () => number | undefined) => unregister);
    const { reporter, lines } = reporterWith({ telemetry: { ...recordingTelemetry().telemetry, observeExpiry } });
    const read = () => 42;
    const stop = reporter.observeExpiry(read);
    expect(observeExpiry).toHaveBeenCalledWith(read);
    stop();
    stop();
    expect(unregister).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([]);
  });

  it('never throws: a telemetry whose observeExpiry or its unregister throws, rejects or gives no function is logged', async () => {
    const { logger, lines } = recordingLogger();
    const withObserve = (observeExpiry: unknown) =>
      createReporter({
        ...NO_HOOKS,
        logger,
        telemetry: { ...recordingTelemetry().telemetry, observeExpiry } as PaymentAuthTelemetry,
        clock: () => 0,
      });
    const cases: unknown[] = [
      () => {
        throw new Error('register broke');
      },
      () => () => {
        throw new Error('unregister broke');
      },
      () => () => Promise.reject(new Error('unregister down')),
      () => 'not a function',
      () => undefined,
    ];
    for (const observeExpiry of cases) expect(() => withObserve(observeExpiry).observeExpiry(() => 1)()).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      ['warn', 'axios-payment-auth: telemetry observeExpiry threw', { error: 'register broke' }],
      ['warn', 'axios-payment-auth: telemetry observeExpiry unregister threw', { error: 'unregister broke' }],
      ['warn', 'axios-payment-auth: telemetry observeExpiry unregister rejected', { error: 'unregister down' }],
    ]);
  });

  it('does nothing without telemetry', () => {
    const reporter = createReporter({ ...NO_HOOKS, logger: undefined, telemetry: undefined, clock: () => 0 });
    expect(() => reporter.observeExpiry(() => 1)()).not.toThrow();
  });
});

describe('createReporter: traceTokenCall', () => {
  const info = { grant: 'client_credentials' as const, url: 'https://auth/token', attempt: 1 };

  it('runs the call directly without telemetry', async () => {
    const reporter = createReporter({ ...NO_HOOKS, logger: undefined, telemetry: undefined, clock: () => 0 });
    const run = jest.fn(async () => 'token');
    await expect(reporter.traceTokenCall(info as never, run, () => ({}) as never)).resolves.toBe('token');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('hands the call to the telemetry, which runs it once however often it calls run, and sees only its description', async () => {
    const run = jest.fn(async () => 'token');
    let seen: Promise<unknown>[] = [];
    const { telemetry } = recordingTelemetry();
    telemetry.traceTokenCall = (_info, go) => {
      seen = [go(), go()];
      return seen[0] as never;
    };
    const reporter = createReporter({ ...NO_HOOKS, logger: undefined, telemetry, clock: () => 0 });
    const result = reporter.traceTokenCall(info as never, run, () => ({ status: 200 }));
    await expect(result).resolves.toBe('token');
    expect(run).toHaveBeenCalledTimes(1);
    expect(seen[0]).toBe(seen[1]);
    await expect(seen[0]).resolves.toEqual({ status: 200 });
  });

  it('runs the call itself when the telemetry never does, throws, or returns a failing promise', async () => {
    const { logger, lines } = recordingLogger();
    for (const traceTokenCall of [
      () => new Promise<never>(() => undefined),
      () => {
        throw new Error('tracer broke');
      },
      () => Promise.reject(new Error('tracer failed')),
      () => undefined as never,
    ]) {
      const { telemetry } = recordingTelemetry();
      telemetry.traceTokenCall = traceTokenCall as PaymentAuthTelemetry['traceTokenCall'];
      const reporter = createReporter({ ...NO_HOOKS, logger, telemetry, clock: () => 0 });
      const run = jest.fn(async () => 'token');
      await expect(reporter.traceTokenCall(info as never, run, () => ({}) as never)).resolves.toBe('token');
      expect(run).toHaveBeenCalledTimes(1);
    }
    expect(lines).toEqual([['warn', 'axios-payment-auth: telemetry traceTokenCall threw', { error: 'tracer broke' }]]);
  });

  it('settles with the call, not with the telemetry', async () => {
    const { telemetry } = recordingTelemetry();
    telemetry.traceTokenCall = async (_info, go) => {
      await go().catch(() => undefined);
      return 'from the tracer' as never;
    };
    const reporter = createReporter({ ...NO_HOOKS, logger: undefined, telemetry, clock: () => 0 });
    await expect(
      reporter.traceTokenCall(
        info as never,
        async () => Promise.reject(new Error('endpoint down')),
        () => ({}) as never,
      ),
    ).rejects.toThrow('endpoint down');
  });
});

describe('createReporter: what cannot be printed', () => {
  const unprintables = UNPRINTABLES;
  const UNPRINTABLE = { error: 'a value that cannot be printed' };

  it.each(unprintables)('a hook or telemetry that throws %s is logged, never passed on', (_name, bad) => {
    const { logger, lines } = recordingLogger();
    const thrower = () => {
      throw bad();
    };
    const reporter = createReporter({
      ...NO_HOOKS,
      onTokenAcquired: thrower,
      onAuthError: thrower,
      logger,
      telemetry: {
        ...recordingTelemetry().telemetry,
        recordTokenOutcome: thrower,
        traceTokenCall: thrower,
        observeExpiry: () => thrower,
      },
      clock: () => 0,
    });
    expect(() => reporter.tokenIssued(event('client_credentials'), false)).not.toThrow();
    expect(() =>
      reporter.authError(new PaymentAuthError({ code: 'CREDENTIALS_REJECTED', message: 'no' })),
    ).not.toThrow();
    expect(() => reporter.observeExpiry(() => 1)()).not.toThrow();
    expect(() =>
      reporter.traceTokenCall(
        {} as never,
        () => Promise.resolve(1),
        () => ({}) as never,
      ),
    ).not.toThrow();
    expect(lines.filter(([level]) => level === 'warn')).toEqual([
      ['warn', 'axios-payment-auth: telemetry recordTokenOutcome threw', UNPRINTABLE],
      ['warn', 'axios-payment-auth: onTokenAcquired hook threw', UNPRINTABLE],
      ['warn', 'axios-payment-auth: telemetry recordTokenOutcome threw', UNPRINTABLE],
      ['warn', 'axios-payment-auth: onAuthError hook threw', UNPRINTABLE],
      ['warn', 'axios-payment-auth: telemetry observeExpiry unregister threw', UNPRINTABLE],
      ['warn', 'axios-payment-auth: telemetry traceTokenCall threw', UNPRINTABLE],
    ]);
  });

  it.each(unprintables)('an async hook that rejects with %s is logged as rejected', async (_name, bad) => {
    const { logger, lines } = recordingLogger();
    const reporter = createReporter({
      ...NO_HOOKS,
      onTokenAcquired: (() => Promise.reject(bad())) as never,
      logger,
      telemetry: undefined,
      clock: () => 0,
    });
    reporter.tokenIssued(event('client_credentials'), false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter(([level]) => level === 'warn')).toEqual([
      ['warn', 'axios-payment-auth: onTokenAcquired hook rejected', UNPRINTABLE],
    ]);
  });
});
