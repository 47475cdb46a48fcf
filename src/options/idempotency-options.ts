import { keysOf, unknownKeys } from '../util/objects';

/** Options of automatic idempotency keys (`idempotency` option). */
export interface IdempotencyOptions {
  /** Header that carries the key. @default 'Idempotency-Key' */
  headerName?: string;
}

const IDEMPOTENCY_OPTION_KEYS = keysOf<IdempotencyOptions>({ headerName: true });

/** Validates the `idempotency` option; `undefined` means keys are off. */
export function normalizeIdempotency(value: unknown): string | undefined {
  if (value === false) return undefined;
  if (value === undefined || value === true) return 'Idempotency-Key';
  if (typeof value !== 'object' || value === null)
    throw new TypeError('attachPaymentAuth: idempotency must be false or { headerName }');
  const unknown = unknownKeys(value, IDEMPOTENCY_OPTION_KEYS);
  if (unknown.length) throw new TypeError(`attachPaymentAuth: unknown idempotency option ${unknown.join(', ')}`);
  const name = (value as IdempotencyOptions).headerName ?? 'Idempotency-Key';
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name))
    throw new TypeError('attachPaymentAuth: idempotency.headerName must be a valid header name');
  return name;
}
