import type { PaymentAuthTelemetry } from '../../src';

/** A telemetry whose required members run the token call and record nothing; `overrides` replace some. */
export function quietTelemetry(overrides: Partial<PaymentAuthTelemetry> = {}): PaymentAuthTelemetry {
  return {
    traceTokenCall: (_info, run) => run(),
    recordTokenOutcome: () => undefined,
    recordUnauthorized: () => undefined,
    recordRetry: () => undefined,
    recordIdempotencyKey: () => undefined,
    observeExpiry: () => () => undefined,
    ...overrides,
  };
}
