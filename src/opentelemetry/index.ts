import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type MeterProvider,
  type TracerProvider,
} from '@opentelemetry/api';
import type { PaymentAuthTelemetry } from 'axios-payment-auth';
import { VERSION } from '../util/version';

/** Options of {@link createOpenTelemetry}. */
export interface OpenTelemetryOptions {
  /** @default the global MeterProvider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /** @default the global TracerProvider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
}

const SCOPE = 'axios-payment-auth';
const SCOPE_VERSION = VERSION;

/**
 * OpenTelemetry instrumentation for `attachPaymentAuth(…, { telemetry: createOpenTelemetry() })`:
 * counters of token outcomes, 401s, retries and idempotency keys, the breaker's state changes and
 * the acquisitions it answered at once; histograms of token endpoint latency and of how long the
 * breaker stayed open; a gauge of seconds until the token expires; a CLIENT span (HTTP semantic conventions)
 * around each token and refresh call. No attribute carries a secret or a token. With no SDK
 * registered, the API's no-op providers make every call free. Names and attributes:
 * docs/observability.md.
 *
 * Register your SDK before calling this: the instruments are created here.
 */
export function createOpenTelemetry(options: OpenTelemetryOptions = {}): PaymentAuthTelemetry {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, SCOPE_VERSION);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, SCOPE_VERSION);

  const tokenRequests = meter.createCounter('payment_auth.token.requests', {
    description: 'Token acquisitions by outcome',
    unit: '{acquisition}',
  });
  const unauthorized = meter.createCounter('payment_auth.unauthorized', {
    description: '401 responses to requests that carried our token',
    unit: '{response}',
  });
  const retries = meter.createCounter('payment_auth.retries', {
    description: 'Retries of Payment API calls by reason',
    unit: '{retry}',
  });
  const keys = meter.createCounter('payment_auth.idempotency_keys', {
    description: 'Idempotency keys generated',
    unit: '{key}',
  });
  const duration = meter.createHistogram('payment_auth.token_endpoint.duration', {
    description: 'Duration of token endpoint HTTP calls',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });
  const expiry = meter.createObservableGauge('payment_auth.token.time_to_expiry', {
    description: 'Seconds until the cached access token expires',
    unit: 's',
  });
  const breakerTransitions = meter.createCounter('payment_auth.token.breaker.transitions', {
    description: 'State changes of the circuit breaker on the token endpoint, by the state entered',
    unit: '{transition}',
  });
  const breakerOpen = meter.createHistogram('payment_auth.token.breaker.open_duration', {
    description: 'How long the breaker on the token endpoint was not closed, recorded when it closes',
    unit: 's',
    advice: { explicitBucketBoundaries: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] },
  });
  const shortCircuits = meter.createCounter('payment_auth.token.short_circuits', {
    description: 'Token acquisitions answered at once, without a token call (breaker open, rejection held)',
    unit: '{acquisition}',
  });
  const readers = new Set<{ read: () => number | undefined; attributes: Attributes | undefined }>();
  expiry.addCallback((result) => {
    for (const { read, attributes } of readers) {
      const seconds = read();
      if (seconds !== undefined) result.observe(seconds, attributes);
    }
  });

  /** The telemetry with `extra` on every measurement and span (none for the attachment's own). */
  const withExtra = (extra: Attributes): PaymentAuthTelemetry => {
    // Measurements without attributes of their own get none at all, as before there were tenants.
    const only = Object.keys(extra).length > 0 ? extra : undefined;
    return {
      traceTokenCall(info, run, describe) {
        const url = new URL(info.url);
        const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
        const attributes: Attributes = {
          'http.request.method': 'POST',
          'server.address': url.hostname,
          'server.port': port,
          'url.full': `${url.origin}${url.pathname}`,
          'payment_auth.grant_type': info.grantType,
          ...(info.resendCount > 0 ? { 'http.request.resend_count': info.resendCount } : {}),
          ...extra,
        };
        const span = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes });
        const started = performance.now();
        const end = (status: number | undefined, errorType: string | undefined): void => {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (errorType !== undefined) {
            span.setAttribute('error.type', errorType);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
          duration.record((performance.now() - started) / 1000, {
            'payment_auth.grant_type': info.grantType,
            'server.address': url.hostname,
            ...(status !== undefined ? { 'http.response.status_code': status } : {}),
            ...(errorType !== undefined ? { 'error.type': errorType } : {}),
            ...extra,
          });
        };
        return context.with(trace.setSpan(context.active(), span), run).then(
          (outcome) => {
            const { status, errorType } = describe(outcome);
            end(status, errorType);
            return outcome;
          },
          (error: unknown) => {
            end(
              undefined,
              (error as { code?: unknown }).code !== undefined ? String((error as { code: unknown }).code) : 'error',
            );
            throw error;
          },
        );
      },
      recordTokenOutcome: (outcome) => tokenRequests.add(1, { 'payment_auth.outcome': outcome, ...extra }),
      recordUnauthorized: (replayed) => unauthorized.add(1, { 'payment_auth.replayed': replayed, ...extra }),
      recordRetry: (reason) => retries.add(1, { 'payment_auth.retry.reason': reason, ...extra }),
      recordIdempotencyKey: () => keys.add(1, only),
      recordBreakerState(state, openForMs) {
        breakerTransitions.add(1, { 'payment_auth.breaker.state': state, ...extra });
        if (openForMs !== undefined) breakerOpen.record(openForMs / 1000, only);
      },
      recordShortCircuit: () => shortCircuits.add(1, only),
      observeExpiry(read) {
        const reader = { read, attributes: only };
        readers.add(reader);
        return () => readers.delete(reader);
      },
      withAttributes: (attributes) => withExtra({ ...extra, ...attributes }),
    };
  };
  return withExtra({});
}
