/**
 * A settled token as a store keeps it. Times are epoch milliseconds. It never holds the client
 * secret. Stores that leave the process should encrypt it (see `RedisTokenStore`'s
 * `encryptionKey`).
 */
export interface StoredToken {
  accessToken: string;
  /** When the token request was sent: the lifetime counts from here. */
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  /** `DPoP` for a token bound to a key (RFC 9449); absent for a Bearer token. */
  tokenType?: 'DPoP';
  /** With `tokenType: 'DPoP'`: the thumbprint of the key it is bound to (`cnf.jkt`). */
  jkt?: string;
}

/**
 * Where tokens are shared: by default one in-memory store per attachment; `MemoryTokenStore`
 * shared by several attachments in one process; `RedisTokenStore` shared by a fleet. Implement it
 * for another cache.
 *
 * Every method may reject or hang: the token manager bounds each call (`storeTimeoutMs`) and falls
 * back to fetching in process, so a store is never a single point of failure. A store only ever
 * holds settled tokens; the in-flight promise stays in process.
 *
 * The lock is what makes a fleet fetch once: `tryLock` must be atomic (set-if-absent with an
 * expiry), `unlock` must only release a lock the caller still owns (compare-and-delete).
 */
export interface TokenStore {
  /** The token under `key`, or undefined. */
  get(key: string): Promise<StoredToken | undefined>;
  /** Stores `token` under `key` for `ttlMs`. */
  set(key: string, token: StoredToken, ttlMs: number): Promise<void>;
  /** Takes the lock of `key` for `owner` if nobody holds it; it expires after `ttlMs`. */
  tryLock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock of `key` if `owner` still holds it. */
  unlock(key: string, owner: string): Promise<void>;
}

/** Validates a value read from a store; anything unexpected counts as "no token". */
export function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.accessToken === 'string' &&
    t.accessToken !== '' &&
    typeof t.issuedAt === 'number' &&
    typeof t.expiresAt === 'number' &&
    (t.refreshToken === undefined || typeof t.refreshToken === 'string') &&
    (t.refreshExpiresAt === undefined || typeof t.refreshExpiresAt === 'number') &&
    (t.tokenType === undefined || (t.tokenType === 'DPoP' && typeof t.jkt === 'string' && t.jkt !== '')) &&
    (t.jkt === undefined || t.tokenType === 'DPoP')
  );
}

/**
 * The store key of a client: derived from the token URL, the client id and the token request
 * parameters (a token for another scope is another token), never from the secret; with DPoP, from
 * the thumbprint of the key too (`jkt`): a token bound to another key is of no use to this client.
 * On a multi-tenant attachment the tenant leads the key (`tenant=<encoded>:`): two tenants never
 * share a key, even with the same client. Every part is URI-encoded, so no part can hold the `:`
 * or `=` that separate them, and a key with a tenant never equals one without.
 */
export function tokenStoreKey(
  prefix: string,
  tokenUrl: string,
  clientId: string,
  params: Readonly<Record<string, string>>,
  jkt?: string,
  tenant?: string,
): string {
  const extra = Object.keys(params)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join('&');
  const binding = jkt === undefined ? '' : `:jkt=${encodeURIComponent(jkt)}`;
  const owner = tenant === undefined ? '' : `tenant=${encodeURIComponent(tenant)}:`;
  return `${prefix}${owner}${encodeURIComponent(tokenUrl)}:${encodeURIComponent(clientId)}${extra ? `:${extra}` : ''}${binding}`;
}
