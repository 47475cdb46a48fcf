import axios, { type AxiosInstance } from 'axios';
import { attachPaymentAuth, type PaymentAuth, type PaymentAuthOptions, type TokenEvent } from '../index';
import { startPaymentSandbox, type PaymentSandbox } from '../testing';
import { ALLOW_INSECURE_HTTP, attachUsageError, parseFlags, usage, UsageError, type CommandSpec } from './args';
import { renderTable, type PhaseCounts, type PhaseResult } from './demo-report';
import type { Io } from './io';
import { plural } from './plural';
import { runtimeLabel } from './runtime-label';
import { resolveEndpoint } from '../util/urls';
import { DEFAULTS } from '../options/options';

export const demoSpec: CommandSpec = {
  name: 'demo',
  headline: 'Shows the package at work end to end, against the sandbox or a real Payment API.',
  summary:
    'Shows the package at work end to end: starts the sandbox, attaches auth to a fresh axios instance and\nruns a cold-start herd, steady traffic across short token lifetimes, revoked tokens, a 503 on a create\ncall and a wrong secret, then prints what each phase cost. Exits 1 if an expectation is not met.',
  flags: {
    json: { type: 'boolean', description: 'print the results as JSON' },
    herd: {
      type: 'string',
      description: 'concurrent requests of the cold-start herd',
      integer: { min: 1, max: 10_000 },
      default: '500',
    },
    'steady-seconds': {
      type: 'string',
      description: 'duration of the steady-traffic phase',
      integer: { min: 1, max: 120 },
      default: '5',
    },
    'base-url': {
      type: 'string',
      description:
        'run the non-destructive phases against this Payment API instead (credentials from PAYMENT_CLIENT_ID / PAYMENT_CLIENT_SECRET)',
    },
    'allow-insecure-http': ALLOW_INSECURE_HTTP,
  },
};

/** Where the per-phase counts come from: the sandbox's log, or the client's own hooks. */
interface Meter {
  snapshot(): Omit<PhaseCounts, 'requests' | 'failures'>;
}

/** What a phase did; `expectation` replaces the phase's own words where the run decides them. */
interface PhaseOutcome {
  requests: number;
  failures: number;
  note?: string;
  expectation?: string;
  /** Token renewals the phase must show (steady traffic: as many as the token lifetime requires). */
  minRenewals?: number;
  /** Every renewal must use the refresh token. */
  refreshOnly?: boolean;
}

interface Phase {
  name: string;
  expectation: string;
  remote: boolean;
  run(ctx: DemoContext, progress: (requests: number) => void): Promise<PhaseOutcome>;
  check(counts: PhaseCounts, outcome: PhaseOutcome): boolean;
}

interface DemoContext {
  api: AxiosInstance;
  auth: PaymentAuth;
  sandbox: PaymentSandbox | undefined;
  herd: number;
  steadyMs: number;
  options: PaymentAuthOptions;
  baseURL: string;
  /** Lifetime of the last token the API issued, as the client counts it. */
  lifetimeMs(): number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settleAll(
  count: number,
  make: () => Promise<unknown>,
  progress: (n: number) => void,
): Promise<{ requests: number; failures: number; codes: string[] }> {
  let done = 0;
  const results = await Promise.allSettled(
    Array.from({ length: count }, () =>
      make().finally(() => {
        done += 1;
        progress(done);
      }),
    ),
  );
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [String((r.reason as { code?: unknown }).code ?? 'error')] : [],
  );
  return { requests: count, failures: codes.length, codes };
}

const PHASES: Phase[] = [
  {
    name: 'cold-start herd',
    expectation: '1 token call, 0 failed',
    remote: true,
    run: (ctx, progress) => settleAll(ctx.herd, () => ctx.api.get('/api/v1/payments'), progress),
    check: (c) => c.tokenCalls === 1 && c.failures === 0,
  },
  {
    name: 'steady traffic',
    expectation: 'renewed ahead of expiry: 0 401s, 0 failed',
    remote: true,
    async run(ctx, progress) {
      if (ctx.sandbox) {
        ctx.sandbox.setLifetimes({ accessTokenTtlS: 2 });
        ctx.auth.invalidate(); // the next token lives 2 s: several lifetimes pass in this phase
      }
      const until = Date.now() + ctx.steadyMs;
      let requests = 0;
      let failures = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < until) {
            requests += 1;
            await ctx.api.get('/api/v1/payments').catch(() => void (failures += 1));
            progress(requests);
            await sleep(10);
          }
        }),
      );
      // Tokens that live L must be renewed at least ⌊duration / L⌋ times in this phase, and ahead of
      // expiry (no 401); the renewal itself comes once a token is L − min(window, L/2) old (the
      // default refresh window). A real API's tokens may outlive the phase: the line says so.
      const lifetimeMs = ctx.lifetimeMs();
      const minRenewals = lifetimeMs ? Math.floor(ctx.steadyMs / lifetimeMs) : 0;
      const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
      const renewedAfterMs =
        lifetimeMs === undefined ? undefined : lifetimeMs - Math.min(DEFAULTS.refreshWindowMs, lifetimeMs / 2);
      const lifetime =
        lifetimeMs === undefined || renewedAfterMs === undefined
          ? 'tokens of unknown lifetime'
          : `tokens live ${seconds(lifetimeMs)}, renewed after ${seconds(renewedAfterMs)}`;
      const expectation =
        minRenewals > 0
          ? `≥ ${plural(minRenewals, 'renewal')} ahead of expiry (${lifetime}): 0 401s, 0 failed`
          : renewedAfterMs !== undefined && renewedAfterMs <= ctx.steadyMs
            ? `renewed ahead of expiry as due (${lifetime}): 0 401s, 0 failed`
            : `0 401s, 0 failed (${lifetime}: no renewal due within ${seconds(ctx.steadyMs)})`;
      if (ctx.sandbox) {
        // Leave a long-lived token in use, so no background renewal races the next phase.
        ctx.sandbox.setLifetimes({ accessTokenTtlS: 900 });
        ctx.auth.invalidate();
        await ctx.api.get('/api/v1/payments').catch(() => void (failures += 1));
        requests += 1;
      }
      // The sandbox issues refresh tokens: every renewal there uses one.
      return { requests, failures, minRenewals, expectation, refreshOnly: ctx.sandbox !== undefined };
    },
    check: (c, { minRenewals = 0, refreshOnly }) =>
      c.unauthorized === 0 &&
      c.failures === 0 &&
      c.tokenCalls + c.refreshCalls >= minRenewals &&
      (!refreshOnly || c.tokenCalls === 0),
  },
  {
    name: 'revoked access token',
    expectation: '1 refresh, every 401 replayed, 0 failed',
    remote: false,
    async run(ctx, progress) {
      await ctx.api.get('/api/v1/payments'); // a token in use, then revoked
      ctx.sandbox!.revokeAccessTokens();
      return settleAll(50, () => ctx.api.get('/api/v1/payments'), progress);
    },
    check: (c) => c.refreshCalls === 1 && c.tokenCalls === 0 && c.unauthorized === 50 && c.failures === 0,
  },
  {
    name: 'revoked refresh token',
    expectation: 'refresh fails, 1 full re-auth, 0 failed',
    remote: false,
    async run(ctx, progress) {
      ctx.sandbox!.revokeAccessTokens();
      ctx.sandbox!.revokeRefreshTokens();
      return settleAll(20, () => ctx.api.get('/api/v1/payments'), progress);
    },
    check: (c) => c.refreshCalls === 1 && c.tokenCalls === 1 && c.failures === 0,
  },
  {
    name: '503 on a create call',
    expectation: 'retried with the same key, charged once',
    remote: false,
    async run(ctx, progress) {
      const before = ctx.sandbox!.requests.length;
      ctx.sandbox!.injectFault('api', { status: 503 });
      const result = await settleAll(
        1,
        () => ctx.api.post('/api/v1/payments', { amount: 4200, currency: 'EUR', description: 'demo' }),
        progress,
      );
      const keys = new Set(
        ctx
          .sandbox!.requests.slice(before)
          .filter((r) => r.route === 'api')
          .map((r) => r.idempotencyKey),
      );
      return {
        ...result,
        note: keys.size === 1 && !keys.has(undefined) ? 'one idempotency key' : `${keys.size} idempotency keys`,
      };
    },
    check: (c, { note }) =>
      c.paymentsCreated === 1 && c.retries === 1 && c.failures === 0 && note === 'one idempotency key',
  },
  {
    name: 'wrong secret',
    expectation: 'CREDENTIALS_REJECTED after 1 token call',
    remote: false,
    async run(ctx, progress) {
      const wrong = axios.create({ baseURL: ctx.baseURL });
      const auth = attachPaymentAuth(
        wrong,
        { clientId: ctx.sandbox!.credentials.clientId, clientSecret: 'not-the-secret' },
        { ...ctx.options, onTokenAcquired: undefined },
      );
      const result = await settleAll(10, () => wrong.get('/api/v1/payments'), progress);
      auth.detach();
      return { ...result, note: [...new Set(result.codes)].join(',') };
    },
    check: (c, { note }) => c.tokenCalls === 1 && c.failures === 10 && note === 'CREDENTIALS_REJECTED',
  },
];

function sandboxMeter(sandbox: PaymentSandbox, retries: () => number): Meter {
  return { snapshot: () => ({ ...sandbox.counters(), retries: retries() }) };
}

/** Client-side counts for a remote API: successful token events, failures, 401s seen, retries. */
function clientMeter(
  api: AxiosInstance,
  onToken: (event: TokenEvent) => void,
): { meter: Meter; options: PaymentAuthOptions; retries: () => number } {
  const counts = { tokenCalls: 0, refreshCalls: 0, unauthorized: 0, retries: 0, paymentsCreated: 0 };
  api.interceptors.response.use(undefined, (error: { response?: { status?: number } }) => {
    if (error.response?.status === 401) counts.unauthorized += 1;
    throw error;
  });
  return {
    meter: { snapshot: () => ({ ...counts }) },
    retries: () => counts.retries,
    options: {
      onTokenAcquired: (event) => {
        counts.tokenCalls += 1;
        onToken(event);
      },
      onTokenRefreshed: (event) => {
        counts.refreshCalls += 1;
        onToken(event);
      },
      onAuthError: () => void (counts.tokenCalls += 1),
      retry: { onRetry: () => void (counts.retries += 1) },
    },
  };
}

/** What `demoCommand` uses from outside besides its `Io`; tests pass their own. */
export interface DemoDeps {
  /** Starts the sandbox of a run without `--base-url`. @default startPaymentSandbox */
  startSandbox?: () => Promise<PaymentSandbox>;
}

/** `payment-auth demo`. */
export async function demoCommand(argv: string[], io: Io, deps: DemoDeps = {}): Promise<number> {
  const flags = parseFlags(demoSpec, argv);
  if (flags.help) {
    io.out(usage(demoSpec));
    return 0;
  }
  const remoteUrl = flags['base-url'] as string | undefined;
  let remote: URL | undefined;
  if (remoteUrl !== undefined) {
    try {
      remote = new URL(remoteUrl);
    } catch {
      throw new UsageError(`--base-url must be an absolute URL, got ${JSON.stringify(remoteUrl)}`);
    }
  }
  const sandbox = remote ? undefined : await (deps.startSandbox ?? startPaymentSandbox)();
  // The API root, as the default token URL finds it: the phases call /api/v1/… under it.
  const baseURL = remote ? resolveEndpoint(remote, '') : sandbox!.url;
  const api = axios.create({ baseURL });
  let retries = 0;
  let lifetimeMs: number | undefined;
  const onToken = (event: TokenEvent): void => void (lifetimeMs = event.expiresInMs);
  const client = remoteUrl ? clientMeter(api, onToken) : undefined;
  const options: PaymentAuthOptions = client?.options ?? {
    retry: { onRetry: () => void (retries += 1) },
    onTokenAcquired: onToken,
    onTokenRefreshed: onToken,
  };
  const meter = client?.meter ?? sandboxMeter(sandbox!, () => retries);
  let auth: PaymentAuth;
  try {
    auth = attachPaymentAuth(api, sandbox?.credentials, {
      ...options,
      allowInsecureHttp: flags['allow-insecure-http'] === true,
    });
  } catch (error) {
    await sandbox?.close();
    throw attachUsageError(error);
  }
  // Registered after the plugin's own interceptors: sees what the caller gets. A phase that fails
  // says why, so a demo against an unreachable or misconfigured API points at the cause.
  let firstFailure: string | undefined;
  api.interceptors.response.use(undefined, (error: unknown) => {
    const e = error as { code?: unknown; message?: unknown };
    firstFailure ??= `${typeof e.code === 'string' ? `${e.code}: ` : ''}${typeof e.message === 'string' ? e.message : 'error'}`;
    throw error;
  });
  const ctx: DemoContext = {
    api,
    auth,
    sandbox,
    herd: flags.herd as number,
    steadyMs: (flags['steady-seconds'] as number) * 1000,
    options,
    baseURL,
    lifetimeMs: () => lifetimeMs,
  };
  const phases = PHASES.filter((p) => !remoteUrl || p.remote);
  const json = flags.json === true;
  if (!json)
    io.out(
      `payment-auth demo against ${remoteUrl ? baseURL : `the sandbox at ${baseURL}`} (${runtimeLabel()}, axios ${axios.VERSION})`,
    );

  const results: PhaseResult[] = [];
  try {
    for (const [index, phase] of phases.entries()) {
      const label = `[${index + 1}/${phases.length}] ${phase.name}`;
      if (!json && !io.isTty) io.out(`${label}…`);
      const before = meter.snapshot();
      firstFailure = undefined;
      const started = performance.now();
      const outcome = await phase.run(ctx, (n) => {
        if (!json) io.status(`${label}… ${n} requests`);
      });
      const after = meter.snapshot();
      const counts: PhaseCounts = {
        requests: outcome.requests,
        failures: outcome.failures,
        tokenCalls: after.tokenCalls - before.tokenCalls,
        refreshCalls: after.refreshCalls - before.refreshCalls,
        unauthorized: after.unauthorized - before.unauthorized,
        retries: after.retries - before.retries,
        paymentsCreated: after.paymentsCreated - before.paymentsCreated,
      };
      const failure = counts.failures > 0 ? firstFailure : undefined;
      const result: PhaseResult = {
        name: phase.name,
        expectation: outcome.expectation ?? phase.expectation,
        ...counts,
        met: phase.check(counts, outcome),
        durationMs: performance.now() - started,
        ...(outcome.note ? { note: outcome.note } : {}),
        ...(failure ? { firstFailure: failure } : {}),
      };
      results.push(result);
      if (!json)
        io.out(
          `${result.met ? '✔' : '✘'} ${label}: ${plural(result.requests, 'request')}, ${result.tokenCalls} token, ${result.refreshCalls} refresh, ${plural(result.unauthorized, '401')}, ${plural(result.retries, 'retry', 'retries')}${outcome.note ? `, ${outcome.note}` : ''}`,
        );
      if (!json && failure && !result.met) io.out(`  first failure: ${failure}`);
    }
  } finally {
    auth.detach();
    await sandbox?.close();
  }
  const ok = results.every((r) => r.met);
  if (json) {
    io.out(
      JSON.stringify(
        {
          ok,
          runtime: runtimeLabel(),
          node: process.version,
          axios: axios.VERSION,
          target: remoteUrl ? baseURL : 'sandbox',
          phases: results,
        },
        null,
        2,
      ),
    );
  } else {
    io.out('');
    io.out(renderTable(results));
    io.out('');
    io.out(ok ? 'Every expectation met.' : 'Some expectations were NOT met.');
  }
  return ok ? 0 : 1;
}
