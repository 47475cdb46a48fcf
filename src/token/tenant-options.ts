import type { PaymentAuthOptions } from '../options/options';
import { isOptionsObject, ownOptions, shown } from '../util/objects';
import type { Credentials } from './credentials';

/**
 * The credentials of a tenant: called with the tenant id for each token acquisition of that tenant
 * (so a rotated secret is picked up), never for a cached token. Any credentials shape of the
 * attachment's `clientAuthMethod`: `{ clientId, clientSecret }` by default, `{ clientId,
 * privateKey }` or `{ clientId, clientAssertion }` with `private_key_jwt`, `{ clientId }` with a
 * client certificate. A throw or a rejection fails that tenant's acquisition with
 * `CREDENTIALS_MISSING`, and only that tenant's.
 */
export type TenantCredentials = (tenant: string) => Credentials | Promise<Credentials>;

/** Options of `attachMultiTenantPaymentAuth`: every option of `attachPaymentAuth`, and these. */
export interface MultiTenantPaymentAuthOptions extends PaymentAuthOptions {
  /** The credentials of each tenant, by tenant id. Required. */
  credentials: TenantCredentials;
  /**
   * How many tenants keep their state (tokens, refresh tokens, breaker) in memory. Past it, the
   * least recently used tenant with no token acquisition in flight is forgotten; its next request
   * gets a new token (from the token store when one is shared).
   * @default 1000
   */
  maxTenants?: number;
  /**
   * The value of the `payment_auth.tenant` attribute on the tenant's metrics and spans, or
   * undefined for none. Every distinct value is a time series: return a bounded set (a plan, a
   * region, or the id itself for a short known list); past 100 distinct values the rest are
   * recorded as `other`. Needs a telemetry with `withAttributes` (`createOpenTelemetry()` has it).
   * @default none: tenants are not told apart in telemetry
   */
  telemetryTenant?: (tenant: string) => string | undefined;
}

/** Normalised multi-tenant options. */
export interface TenantSettings {
  credentials: TenantCredentials;
  maxTenants: number;
  telemetryTenant: ((tenant: string) => string | undefined) | undefined;
}

export const DEFAULT_MAX_TENANTS = 1000;
/** More tenants than this in memory is a mistake (a bound of 10 million tenants is no bound). */
export const MAX_MAX_TENANTS = 1_000_000;
/** Distinct `payment_auth.tenant` values recorded before the rest are recorded as `other`. */
export const MAX_TENANT_LABELS = 100;

const NAME = 'attachMultiTenantPaymentAuth: ';
const SHARED_NAME = 'attachPaymentAuth: ';

function fail(message: string): never {
  throw new TypeError(`${NAME}${message}`);
}

/** Whether `error` is an option or credential mistake reported by either attach function. */
export function isAttachMistake(error: unknown): error is TypeError {
  return error instanceof TypeError && (error.message.startsWith(NAME) || error.message.startsWith(SHARED_NAME));
}

/**
 * Runs checks shared with `attachPaymentAuth` (the instance, the options, the client certificate)
 * so that a mistake names the function that was called: `attachMultiTenantPaymentAuth: retry…`.
 */
export function asMultiTenant<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    // The same error, renamed (its stack still leads to the check that failed).
    if (error instanceof TypeError && error.message.startsWith(SHARED_NAME)) {
      error.message = NAME + error.message.slice(SHARED_NAME.length);
      error.stack = error.stack?.replace(SHARED_NAME, NAME);
    }
    throw error;
  }
}

/** Splits and validates the multi-tenant options; the rest are `attachPaymentAuth`'s. */
export function splitTenantOptions(options: unknown): { tenants: TenantSettings; rest: PaymentAuthOptions } {
  if (!isOptionsObject(options))
    fail(`options must be an object with credentials: (tenant) => credentials, got ${shown(options)}`);
  const { credentials, maxTenants, telemetryTenant, ...rest } = ownOptions(
    options as unknown as MultiTenantPaymentAuthOptions,
  );
  if (typeof credentials !== 'function')
    fail(
      credentials === undefined
        ? 'credentials is required: a function (tenant) => credentials of that tenant'
        : 'credentials must be a function (tenant) => credentials; for one set of credentials, use attachPaymentAuth',
    );
  // `null` is a mistake (a missing environment variable), refused like any other non-number.
  const max = maxTenants === undefined ? DEFAULT_MAX_TENANTS : maxTenants;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_MAX_TENANTS)
    fail(`maxTenants must be an integer from 1 to ${MAX_MAX_TENANTS}`);
  if (telemetryTenant !== undefined && typeof telemetryTenant !== 'function')
    fail('telemetryTenant must be a function (tenant) => attribute value or undefined');
  return { tenants: { credentials, maxTenants: max, telemetryTenant }, rest };
}
