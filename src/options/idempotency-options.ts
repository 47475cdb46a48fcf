import { isOptionsObject, keysOf, ownOptions, unknownKeys, shownNames } from '../util/objects';

/** Options of automatic idempotency keys (`idempotency` option). */
export interface IdempotencyOptions {
  /** Header that carries the key. @default 'Idempotency-Key' */
  headerName?: string;
}

/**
 * Headers an idempotency key must not replace: the request's own authentication (its DPoP proof
 * too), framing and routing (lower case).
 */
const RESERVED_HEADERS = new Set([
  'authorization',
  'dpop',
  'proxy-authorization',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'host',
  'connection',
  'cookie',
  'expect',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
]);

const IDEMPOTENCY_OPTION_KEYS = keysOf<IdempotencyOptions>({ headerName: true });

/** Validates the `idempotency` option; `undefined` means keys are off. */
export function normalizeIdempotency(value: unknown): string | undefined {
  if (value === false) return undefined;
  if (value === undefined || value === true) return 'Idempotency-Key';
  if (!isOptionsObject(value)) throw new TypeError('attachPaymentAuth: idempotency must be false or { headerName }');
  const options = ownOptions(value as IdempotencyOptions);
  const unknown = unknownKeys(options, IDEMPOTENCY_OPTION_KEYS);
  if (unknown.length) throw new TypeError(`attachPaymentAuth: unknown idempotency option ${shownNames(unknown)}`);
  const given = options.headerName;
  const name: unknown = given === undefined ? 'Idempotency-Key' : given;
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/.test(name))
    throw new TypeError(
      'attachPaymentAuth: idempotency.headerName must be a valid header name of at most 128 characters',
    );
  if (RESERVED_HEADERS.has(name.toLowerCase()))
    throw new TypeError(
      `attachPaymentAuth: idempotency.headerName must not be ${name}, which the request needs for itself`,
    );
  return name;
}
