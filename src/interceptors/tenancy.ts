import type { InternalAxiosRequestConfig } from 'axios';
import type { Reporter } from '../observability/reporter';
import type { PaymentAuthRequestState } from '../request/request-state';
import type { AccessToken, TokenManager } from '../token/manager';

/** What gives the requests of one tenant (or of a single-tenant attachment) their token. */
export interface AuthEntry {
  readonly manager: TokenManager;
  readonly reporter: Reporter;
  /** What text from outside is cleaned of for this entry's requests (its secrets and tokens, the DPoP key). */
  knownSecrets(): readonly string[];
}

/** The entry and the token a request was sent with. */
export interface SentWith {
  readonly entry: AuthEntry;
  /** Absent on a single-tenant attachment, whose entry never changes. */
  readonly token?: AccessToken;
}

/**
 * Which entry serves a request: the one entry of a single-tenant attachment, or, on a multi-tenant
 * one, the entry of the request's tenant in a bounded registry. The interceptors ask it; only
 * `attach.ts` knows which of the two it is.
 */
export interface Tenancy {
  /** Aborted at the attachment's `detach()`: nothing is sent again after it. */
  readonly detached: AbortSignal;
  /**
   * The request's tenant, checked: undefined on a single-tenant attachment. Throws a `TypeError`
   * for a tenant that is not a valid id, and for any tenant on a single-tenant attachment.
   */
  tenantOf(state: PaymentAuthRequestState | undefined): string | undefined;
  /**
   * The entry that gives `tenant` its token now, created when it has none; marks it as used.
   * Throws a `TypeError` on a multi-tenant attachment when `tenant` is undefined.
   */
  entry(tenant: string | undefined): AuthEntry;
  /** The entry of `tenant` if it has one now, never created. */
  current(tenant: string | undefined): AuthEntry | undefined;
  /** Remembers what `config` was sent with, for its answer. */
  sent(config: InternalAxiosRequestConfig, entry: AuthEntry, token: AccessToken): void;
  /** What `config` was sent with, when it carried our token. */
  sentWith(config: InternalAxiosRequestConfig): SentWith | undefined;
}

/** The tenancy of a single-tenant attachment: always `entry`, and no tenant allowed. */
export function singleTenancy(entry: AuthEntry): Tenancy {
  const sent: SentWith = { entry };
  return {
    tenantOf(state) {
      if (state?.tenant !== undefined)
        throw new TypeError(
          'axios-payment-auth: this request names a tenant (paymentAuth: { tenant }), but the instance was attached with attachPaymentAuth, which has one set of credentials; use attachMultiTenantPaymentAuth for credentials per tenant, or drop the tenant',
        );
      return undefined;
    },
    detached: entry.manager.detachedSignal,
    entry: () => entry,
    current: () => entry,
    sent: () => undefined,
    sentWith: () => sent,
  };
}
