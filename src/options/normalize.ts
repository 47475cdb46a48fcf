import { monotonicNow } from '../util/clock';
import { DEFAULTS, REFRESH_PATH, TOKEN_PATH, type NormalizedOptions, type PaymentAuthOptions } from './options';
import { normalizeBreaker } from './breaker-options';
import { normalizeClientAuth } from './client-auth-options';
import { normalizeDpop } from './dpop-options';
import { normalizeIdempotency } from './idempotency-options';
import { MAX_RETRIES, normalizeRetry } from './retry-options';
import {
  hasControlCharacter,
  hasMethods,
  isOptionsObject,
  keysOf,
  ownOptions,
  shown,
  shownNames,
  unknownKeys,
} from '../util/objects';
import { MAX_TIMER_MS } from '../util/timers';
import { isLoopbackHost, resolveEndpoint } from '../util/urls';
import type { TokenStore } from '../store/token-store';
import type { PaymentAuthTelemetry } from '../observability/telemetry';

/** Every option name, kept complete by the compiler. */
export const OPTION_KEYS = keysOf<PaymentAuthOptions>({
  tokenUrl: true,
  refreshUrl: true,
  clientAuthMethod: true,
  issuer: true,
  assertionAudience: true,
  clockSkewMs: true,
  tls: true,
  dpop: true,
  tokenRequestFormat: true,
  scope: true,
  tokenParams: true,
  refreshWindowMs: true,
  refreshTokenLifetimeMs: true,
  defaultTokenLifetimeMs: true,
  maxTokenLifetimeMs: true,
  tokenTimeoutMs: true,
  tokenRetries: true,
  maxRetryAfterMs: true,
  breaker: true,
  apiOrigins: true,
  allowInsecureHttp: true,
  dangerouslyAllowBrowser: true,
  retry: true,
  idempotency: true,
  store: true,
  storeTimeoutMs: true,
  storeLockTtlMs: true,
  onStoreError: true,
  telemetry: true,
  logger: true,
  onTokenAcquired: true,
  onTokenRefreshed: true,
  onAuthError: true,
  clock: true,
});

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

function parseHttpUrl(value: unknown, name: string, allowInsecureHttp: boolean): URL {
  if (typeof value !== 'string' || value === '') fail(`${name} must be a non-empty absolute URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${name} must use https: (got ${url.protocol})`);
  if (url.username || url.password) fail(`${name} must not carry user info`);
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    fail(
      `${name} uses http: on a non-loopback host; tokens and secrets would travel in clear text (use https:, or allowInsecureHttp: true)`,
    );
  }
  return url;
}

/**
 * The default refresh URL when `tokenUrl` is set: on the token URL's server, which already gets the
 * client secret — never on the API's, which may be another host. A token URL in the Payment API's
 * layout (`…/oauth2/token`) has its refresh endpoint beside it (`…/oauth2/refresh`); any other
 * takes the refresh grant itself, as RFC 6749 §6 has it.
 */
function refreshBesideToken(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  if (!url.pathname.endsWith('/oauth2/token')) return url.href;
  url.pathname = `${url.pathname.slice(0, -'token'.length)}refresh`;
  return url.href;
}

/** The longest `scope` an option may give, in characters (or tokens of an array). */
const MAX_SCOPE_LENGTH = 8192;

/** The longest token lifetime an option may give: ten years (a longer one is a mistake of units). */
const MAX_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * A numeric option, or its default when it is absent (`undefined`; `null` is a mistake, as from a
 * missing environment variable, and refused). At most `max`: a duration a timer waits for at most
 * the longest timer (a longer one would fire at once), a lifetime ten years, a count 100.
 */
function number(
  options: PaymentAuthOptions,
  key: keyof typeof DEFAULTS & keyof PaymentAuthOptions,
  min: number,
  { integer = false, max = MAX_TIMER_MS }: { integer?: boolean; max?: number } = {},
): number {
  const given = options[key];
  const value = given === undefined ? DEFAULTS[key] : given;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    fail(`${key} must be a${integer ? 'n integer' : ' finite number'} >= ${min} and <= ${max}, got ${shown(value)}`);
  }
  return value;
}

function optionalFunction<T>(options: PaymentAuthOptions, key: keyof PaymentAuthOptions): T | undefined {
  const value = options[key];
  if (value !== undefined && typeof value !== 'function') fail(`${key} must be a function`);
  return value as T | undefined;
}

function normalizeTelemetry(telemetry: unknown): PaymentAuthTelemetry | undefined {
  if (telemetry === undefined) return undefined;
  const methods = [
    'traceTokenCall',
    'recordTokenOutcome',
    'recordUnauthorized',
    'recordRetry',
    'recordIdempotencyKey',
    'observeExpiry',
  ];
  if (!hasMethods(telemetry, methods)) {
    fail(
      'telemetry must implement PaymentAuthTelemetry (use createOpenTelemetry() from axios-payment-auth/opentelemetry)',
    );
  }
  return telemetry as PaymentAuthTelemetry;
}

function normalizeStore(store: unknown): TokenStore | undefined {
  if (store === undefined) return undefined;
  const methods = ['get', 'set', 'tryLock', 'unlock'];
  if (!hasMethods(store, methods)) {
    fail(`store must implement TokenStore (${methods.join(', ')})`);
  }
  return store as TokenStore;
}

/**
 * Validates the options once, at attach time, and applies the defaults. Mistakes throw a
 * `TypeError`; the caller's object is never modified.
 */
export function normalizeOptions(
  options: PaymentAuthOptions | undefined,
  baseURL: string | undefined,
): NormalizedOptions {
  if (options !== undefined && !isOptionsObject(options)) fail('options must be an object');
  const opts: PaymentAuthOptions = ownOptions(options ?? {});
  const unknown = unknownKeys(opts, OPTION_KEYS);
  if (unknown.length > 0) fail(`unknown option${unknown.length > 1 ? 's' : ''} ${shownNames(unknown)}`);
  for (const flag of ['allowInsecureHttp', 'dangerouslyAllowBrowser'] as const) {
    if (opts[flag] !== undefined && typeof opts[flag] !== 'boolean')
      fail(`${flag} must be true or false, got ${shown(opts[flag])}`);
  }
  const insecure = opts.allowInsecureHttp === true;

  const base = baseURL ? parseHttpUrl(baseURL, 'the instance baseURL', insecure) : undefined;
  if (!base && (opts.tokenUrl === undefined || !opts.apiOrigins?.length)) {
    fail('the axios instance has no baseURL: set one, or pass tokenUrl and apiOrigins');
  }
  const tokenUrl =
    opts.tokenUrl !== undefined
      ? parseHttpUrl(opts.tokenUrl, 'tokenUrl', insecure).href
      : resolveEndpoint(base!, TOKEN_PATH);
  let refreshUrl: string | undefined;
  if (opts.refreshUrl === false) refreshUrl = undefined;
  else if (opts.refreshUrl !== undefined) refreshUrl = parseHttpUrl(opts.refreshUrl, 'refreshUrl', insecure).href;
  else
    refreshUrl =
      opts.tokenUrl === undefined && base ? resolveEndpoint(base, REFRESH_PATH) : refreshBesideToken(tokenUrl);

  const apiOrigins = new Set<string>(base ? [base.origin] : []);
  if (opts.apiOrigins !== undefined) {
    if (!Array.isArray(opts.apiOrigins)) fail('apiOrigins must be an array of origins');
    for (const origin of opts.apiOrigins) apiOrigins.add(parseHttpUrl(origin, 'apiOrigins entry', insecure).origin);
  }

  const clientAuth = normalizeClientAuth(opts, tokenUrl);
  // Only a missing option takes the default: null (a missing environment variable, parsed) is a mistake.
  const tokenRequestFormat =
    opts.tokenRequestFormat === undefined ? DEFAULTS.tokenRequestFormat : opts.tokenRequestFormat;
  if (tokenRequestFormat !== 'form' && tokenRequestFormat !== 'json')
    fail(`tokenRequestFormat must be 'form' or 'json', got ${shown(tokenRequestFormat)}`);

  const tokenParams: Record<string, string> = {};
  if (opts.tokenParams !== undefined) {
    if (!isOptionsObject(opts.tokenParams)) fail('tokenParams must be an object of strings');
    for (const [key, value] of Object.entries(opts.tokenParams)) {
      if (key === '' || hasControlCharacter(key))
        fail('tokenParams names must be non-empty, without control characters');
      if (typeof value !== 'string') fail(`tokenParams.${shownNames([key])} must be a string`);
      if (hasControlCharacter(value)) fail(`tokenParams.${shownNames([key])} must not hold control characters`);
      if (
        [
          'grant_type',
          'client_id',
          'client_secret',
          'client_assertion',
          'client_assertion_type',
          'refresh_token',
          '__proto__',
        ].includes(key)
      )
        fail(`tokenParams must not set ${key}`);
      tokenParams[key] = value;
    }
  }
  if (opts.scope !== undefined) {
    // A scope past this is a mistake, and megabytes of it would only be sent to be refused.
    const length = Array.isArray(opts.scope)
      ? opts.scope.length
      : typeof opts.scope === 'string'
        ? opts.scope.length
        : 0;
    if (length > MAX_SCOPE_LENGTH) fail(`scope must be at most ${MAX_SCOPE_LENGTH} characters (or tokens)`);
    // RFC 6749 §3.3: space-delimited scope tokens of printable ASCII other than `"` and `\`.
    const tokens: unknown[] = Array.isArray(opts.scope)
      ? opts.scope
      : typeof opts.scope === 'string'
        ? opts.scope.split(' ').filter((t) => t !== '')
        : [opts.scope];
    if (
      tokens.length === 0 ||
      !tokens.every(
        (t) => typeof t === 'string' && t.length <= MAX_SCOPE_LENGTH && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(t),
      )
    )
      fail(
        'scope must be a non-empty string or array of scope tokens: printable ASCII, no spaces within a token, no " or \\',
      );
    tokenParams.scope = tokens.join(' ');
  }

  const logger = opts.logger;
  if (logger !== undefined && !hasMethods(logger, ['debug', 'info', 'warn', 'error'])) {
    fail('logger must have debug, info, warn and error methods');
  }

  return {
    tokenUrl,
    refreshUrl,
    clientAuth,
    dpop: normalizeDpop(opts.dpop),
    tokenRequestFormat,
    tokenParams,
    refreshWindowMs: number(opts, 'refreshWindowMs', 0),
    refreshTokenLifetimeMs: number(opts, 'refreshTokenLifetimeMs', 0, { max: MAX_LIFETIME_MS }),
    defaultTokenLifetimeMs: number(opts, 'defaultTokenLifetimeMs', 1000, { max: MAX_LIFETIME_MS }),
    maxTokenLifetimeMs: number(opts, 'maxTokenLifetimeMs', 1000, { max: MAX_LIFETIME_MS }),
    tokenTimeoutMs: number(opts, 'tokenTimeoutMs', 1),
    tokenRetries: number(opts, 'tokenRetries', 0, { integer: true, max: MAX_RETRIES }),
    maxRetryAfterMs: number(opts, 'maxRetryAfterMs', 0),
    breaker: normalizeBreaker(opts.breaker),
    apiOrigins,
    retry: normalizeRetry(opts.retry),
    store: normalizeStore(opts.store),
    storeTimeoutMs: number(opts, 'storeTimeoutMs', 1),
    storeLockTtlMs: number(opts, 'storeLockTtlMs', 100),
    onStoreError: optionalFunction(opts, 'onStoreError'),
    telemetry: normalizeTelemetry(opts.telemetry),
    idempotencyHeader: normalizeIdempotency(opts.idempotency),
    logger,
    onTokenAcquired: optionalFunction(opts, 'onTokenAcquired'),
    onTokenRefreshed: optionalFunction(opts, 'onTokenRefreshed'),
    onAuthError: optionalFunction(opts, 'onAuthError'),
    clock: optionalFunction<() => number>(opts, 'clock') ?? monotonicNow,
    wallClock: optionalFunction<() => number>(opts, 'clock') ?? Date.now,
  };
}
