import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { isSpanContextValid, metrics, ProxyTracer, trace, type Span } from '@opentelemetry/api';
import { createOpenTelemetry } from 'axios-payment-auth/opentelemetry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../src/util/version';
import { expectNoLeaks } from '../_helpers/leaks';
import { startHarness, type Harness } from '../_helpers/sandbox';
import { deferred, waitFor } from '../_helpers/servers';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let reader: TestReader;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider | undefined;
let h: Harness;

async function start(options = {}) {
  reader = new TestReader();
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const telemetry = createOpenTelemetry({ meterProvider: new MeterProvider({ readers: [reader] }), tracerProvider });
  h = await startHarness({ telemetry, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
}
afterEach(async () => {
  await h?.close();
  // The span processor counts each exported span on the API's shared no-op counter a timer tick after
  // the span ends: let that happen within its own test, not in the next one's spy.
  await tracerProvider?.forceFlush();
  await tracerProvider?.shutdown();
  tracerProvider = undefined;
});

async function points(name: string): Promise<DataPoint<number>[]> {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as DataPoint<number>[];
}
const byAttr = (ps: DataPoint<number>[], key: string) =>
  Object.fromEntries(ps.map((p) => [String(p.attributes[key]), p.value]));

describe('OpenTelemetry', () => {
  it('counts a cold-start herd as one acquisition with one CLIENT span', async () => {
    await start();
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const herd = Promise.all(Array.from({ length: 50 }, () => h.api.get('/payments')));
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    gate.resolve();
    await herd;
    expect(byAttr(await points('payment_auth.token.requests'), 'payment_auth.outcome')).toEqual({ acquired: 1 });
    const finished = spans.getFinishedSpans();
    expect(finished).toHaveLength(1);
    const url = new URL(h.sandbox.url);
    expect(finished[0]!.name).toBe('POST');
    expect(finished[0]!.kind).toBe(2); // CLIENT
    expect(finished[0]!.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': url.hostname,
      'server.port': Number(url.port),
      'url.full': `${h.sandbox.url}/api/v1/oauth2/token`,
      'payment_auth.grant_type': 'client_credentials',
      'http.response.status_code': 200,
    });
    const [latency] = (await points('payment_auth.token_endpoint.duration')) as unknown as {
      value: { count: number };
    }[];
    expect(latency!.value.count).toBe(1);
    const [gauge] = await points('payment_auth.token.time_to_expiry');
    expect(gauge!.value).toBeGreaterThan(899);
  });

  it("records the breaker's state changes, how long it was open, and the acquisitions it answered at once", async () => {
    await start({ tokenRetries: 0, breaker: { failureThreshold: 1, coolDownMs: 1000 } });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    for (let i = 0; i < 3; i++)
      await expect(h.api.get('/payments')).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
    h.sandbox.clearFaults();
    h.advance(1000);
    await h.api.get('/payments');
    expect(byAttr(await points('payment_auth.token.breaker.transitions'), 'payment_auth.breaker.state')).toEqual({
      open: 1,
      'half-open': 1,
      closed: 1,
    });
    const [open] = (await points('payment_auth.token.breaker.open_duration')) as unknown as {
      value: { count: number; sum: number };
    }[];
    expect(open!.value).toMatchObject({ count: 1, sum: 1 });
    const [short] = await points('payment_auth.token.short_circuits');
    expect(short!.value).toBe(3);
  });

  it('counts a 401 storm: one refresh, every 401 replayed', async () => {
    await start();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    await Promise.all(Array.from({ length: 20 }, () => h.api.get('/payments')));
    expect(byAttr(await points('payment_auth.token.requests'), 'payment_auth.outcome')).toEqual({
      acquired: 1,
      refreshed: 1,
    });
    expect(byAttr(await points('payment_auth.unauthorized'), 'payment_auth.replayed')).toEqual({ true: 20 });
    expect(spans.getFinishedSpans().map((s) => s.attributes['payment_auth.grant_type'])).toEqual([
      'client_credentials',
      'refresh_token',
    ]);
  });

  it('counts a fallback, a failed acquisition and error spans', async () => {
    await start({ tokenRetries: 0 });
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    h.sandbox.revokeRefreshTokens();
    await h.api.get('/payments');
    h.auth.invalidate();
    h.sandbox.injectFault('refresh', { status: 500 });
    h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } });
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    expect(byAttr(await points('payment_auth.token.requests'), 'payment_auth.outcome')).toEqual({
      acquired: 1,
      fallback: 1,
      failed: 1,
    });
    const failed = spans.getFinishedSpans().filter((s) => s.status.code === 2);
    expect(failed.map((s) => [s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([
      [401, 'TOKEN_REQUEST_REJECTED'],
      [500, 'TOKEN_ENDPOINT_UNAVAILABLE'],
      [401, 'CREDENTIALS_REJECTED'],
    ]);
  });

  it('counts retries by reason and idempotency keys', async () => {
    await start();
    h.sandbox.injectFault('api', { status: 503 });
    h.sandbox.injectFault('api', { status: 429 });
    await h.api.post('/payments', { amount: 1 });
    await h.api.post('/payments', { amount: 2 });
    expect(byAttr(await points('payment_auth.retries'), 'payment_auth.retry.reason')).toEqual({
      'status 503': 1,
      'status 429': 1,
    });
    expect((await points('payment_auth.idempotency_keys'))[0]!.value).toBe(2);
  });

  it('puts no secret or token in any attribute, span or data point', async () => {
    await start();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    await h.api.get('/payments');
    const token = await h.auth.getAccessToken();
    const { resourceMetrics } = await reader.collect();
    expectNoLeaks(
      {
        spans: spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
        resourceMetrics,
      },
      [h.sandbox.credentials.clientSecret, token],
    );
  });

  it('uses the package version as the instrumentation scope version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    await start();
    await h.api.get('/payments');
    expect(spans.getFinishedSpans()[0]!.instrumentationScope).toEqual({
      name: 'axios-payment-auth',
      version: pkg.version,
      schemaUrl: undefined,
    });
  });

  it('records nothing without an SDK, through failures, 401s and retries, and the requests go as without it', async () => {
    // No SDK is registered: the API hands out its no-op providers. Spy on what they are given.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    const startSpan = jest.spyOn(ProxyTracer.prototype, 'startSpan');
    const noopCounter = metrics.getMeter('probe').createCounter('probe'); // one no-op instrument for all
    const add = jest.spyOn(noopCounter, 'add');
    try {
      const logged: unknown[][] = [];
      const log = (...args: unknown[]) => void logged.push(args);
      h = await startHarness({
        telemetry: createOpenTelemetry(),
        tokenRetries: 0,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        logger: { debug: log, info: log, warn: log, error: log },
      });
      await expect(h.api.post('/payments', { amount: 1 })).resolves.toMatchObject({ status: 201 });
      h.sandbox.revokeAccessTokens();
      await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 }); // 401, refresh, replay
      h.sandbox.injectFault('api', { status: 503 });
      await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 }); // retried
      h.auth.invalidate();
      h.sandbox.injectFault('refresh', { status: 500 });
      h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } });
      await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
      expect(h.auth.status().counts).toEqual({
        tokensAcquired: 1,
        tokensRefreshed: 1,
        fallbacks: 0,
        failures: 1,
        unauthorized: 1,
        replays: 1,
        retries: 1,
        idempotencyKeys: 1,
        shortCircuited: 0,
      });

      // Every event reached the telemetry, and went nowhere: no span records, no measurement is kept.
      const spans = startSpan.mock.results.map((r) => r.value as Span);
      expect(spans).toHaveLength(4); // token, refresh, the failed refresh and the rejected fallback
      expect(spans.filter((s) => s.isRecording() || isSpanContextValid(s.spanContext()))).toEqual([]);
      expect(add.mock.calls.map((c) => c[1] ?? 'idempotency key')).toEqual([
        'idempotency key',
        { 'payment_auth.outcome': 'acquired' },
        { 'payment_auth.replayed': true },
        { 'payment_auth.outcome': 'refreshed' },
        { 'payment_auth.retry.reason': 'status 503' },
        { 'payment_auth.outcome': 'failed' },
      ]);
      expect(logged.filter(([message]) => String(message).includes('telemetry'))).toEqual([]);
    } finally {
      startSpan.mockRestore();
      add.mockRestore();
    }
  });
});

describe('status()', () => {
  it('reports token state, counts and the last error, without secrets', async () => {
    h = await startHarness({ retry: { baseDelayMs: 1, maxDelayMs: 2 }, tokenRetries: 0 });
    expect(h.auth.status()).toEqual({
      hasToken: false,
      expiresInMs: undefined,
      refreshTokenExpiresInMs: undefined,
      breaker: { state: 'closed', consecutiveFailures: 0, retryInMs: undefined, openForMs: undefined },
      lastError: undefined,
      counts: expect.objectContaining({ tokensAcquired: 0 }),
    });
    await h.api.post('/payments', { amount: 3 });
    h.sandbox.revokeAccessTokens();
    h.sandbox.injectFault('api', { delayMs: 0 });
    h.sandbox.injectFault('api', { status: 503 });
    await h.api.get('/payments');
    h.advance(1000);
    const status = h.auth.status();
    expect(status).toMatchObject({
      hasToken: true,
      expiresInMs: 899_000,
      refreshTokenExpiresInMs: 86_399_000,
      lastError: undefined,
    });
    expect(status.counts).toEqual({
      tokensAcquired: 1,
      tokensRefreshed: 1,
      fallbacks: 0,
      failures: 0,
      unauthorized: 1,
      replays: 1,
      retries: 1,
      idempotencyKeys: 1,
      shortCircuited: 0,
    });
    h.auth.invalidate();
    h.sandbox.injectFault('refresh', { status: 500 });
    h.sandbox.injectFault('token', { status: 503 });
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    const failed = h.auth.status();
    expect(failed.lastError).toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      message: expect.stringContaining('503'),
    });
    expect(failed.counts.failures).toBe(1);
    expect(failed.breaker).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
    expectNoLeaks(failed, [h.sandbox.credentials.clientSecret]);
  });
});
