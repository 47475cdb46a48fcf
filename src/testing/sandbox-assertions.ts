import { loadJose, type Jose } from '../util/jose';
import type { SandboxAuthority } from './sandbox-auth';

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Signature algorithms the sandbox accepts for client assertions. */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Clock leeway for `exp` and `iat`, in seconds. */
const LEEWAY_S = 5;
/** Longest `exp - iat` accepted, in seconds. */
const MAX_LIFETIME_S = 300;
/** Most `jti`s remembered at once; the oldest go first beyond it. */
const MAX_SEEN_JTIS = 10_000;

/** A client assertion that verified, decoded: its JOSE header and its claims. */
export interface SandboxAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** The outcome of one assertion: the client it authenticates, or why it does not. */
export type AssertionOutcome =
  | { ok: true; clientId: string }
  | { ok: false; description: string; /** The sandbox's own failure (500), not the client's. */ serverError?: true };

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A jose failure as an `invalid_client` description. */
function describeJoseError(error: unknown): string {
  const claim = typeof error === 'object' && error !== null ? (error as { claim?: unknown }).claim : undefined;
  switch (codeOf(error)) {
    case 'ERR_JWT_EXPIRED':
      return "client assertion expired (exp is in the past by the server's clock)";
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf'
        ? "client assertion not yet valid (nbf is after the server's clock)"
        : `client assertion claims malformed (${String(claim)})`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return `client assertion algorithm not accepted (use one of ${ASSERTION_ALGORITHMS.join(', ')})`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'client assertion signature does not verify (no registered key matches its kid and alg)';
    case 'ERR_JWKS_INVALID':
      return 'client assertion signature does not verify (the registered jwks is malformed)';
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
      return 'client assertion malformed (not a signed JWT)';
    default:
      return 'client assertion signature does not verify';
  }
}

/**
 * Verifies RFC 7523 client assertions (`private_key_jwt`) on the sandbox's clock: signature against
 * the client's JWKS, `iss` = `sub` = client id, `aud`, `exp`, `iat`, lifetime, and `jti` replay.
 */
export class AssertionVerifier {
  /** Every assertion that verified, decoded. */
  readonly verified: SandboxAssertion[] = [];
  /** `clientId NUL jti` → until when it is remembered (epoch ms). */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly authority: SandboxAuthority,
    private readonly clock: () => number,
  ) {}

  /**
   * @param audiences the `aud` values accepted (issuer, token endpoint, the endpoint called)
   * @param bodyClientId the `client_id` of the request body, if any: it must be the assertion's `sub`
   */
  async verify(assertion: string, audiences: readonly string[], bodyClientId?: string): Promise<AssertionOutcome> {
    const fail = (description: string): AssertionOutcome => ({ ok: false, description });
    let loaded: Jose;
    try {
      loaded = await loadJose();
    } catch {
      return {
        ok: false,
        description: "private_key_jwt needs the 'jose' package, which did not load",
        serverError: true,
      };
    }
    const { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } = loaded;
    let unverifiedSub: unknown;
    try {
      decodeProtectedHeader(assertion);
      const unverified = decodeJwt(assertion);
      unverifiedSub = unverified.sub ?? unverified.iss;
    } catch {
      return fail('client assertion malformed (not a signed JWT)');
    }
    if (typeof unverifiedSub !== 'string') return fail('client assertion malformed (no sub)');
    if (bodyClientId !== undefined && bodyClientId !== unverifiedSub)
      return fail("client_id does not match the client assertion's sub");
    const client = this.authority.client(unverifiedSub);
    if (!client) return fail('unknown client');
    if (!client.jwks || !Array.isArray(client.jwks.keys) || client.jwks.keys.length === 0)
      return fail('client assertion signature does not verify (the client has no registered jwks)');
    const options = {
      algorithms: ASSERTION_ALGORITHMS,
      currentDate: new Date(this.clock()),
      clockTolerance: LEEWAY_S,
    };
    let verified: { payload: Record<string, unknown>; protectedHeader: Record<string, unknown> };
    try {
      const keys = createLocalJWKSet(client.jwks as unknown as Parameters<typeof createLocalJWKSet>[0]);
      try {
        verified = await jwtVerify(assertion, keys, options);
      } catch (error) {
        if (codeOf(error) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
        // No kid: any registered key that verifies.
        let found: typeof verified | undefined;
        let last: unknown = error;
        for await (const key of error as AsyncIterable<Awaited<ReturnType<typeof keys>>>) {
          try {
            found = await jwtVerify(assertion, key, options);
            break;
          } catch (attempt) {
            last = attempt;
          }
        }
        if (!found) throw last;
        verified = found;
      }
    } catch (error) {
      return fail(describeJoseError(error));
    }
    return this.#checkClaims(client.clientId, verified.protectedHeader, verified.payload, audiences);
  }

  #checkClaims(
    clientId: string,
    header: Record<string, unknown>,
    claims: Record<string, unknown>,
    audiences: readonly string[],
  ): AssertionOutcome {
    const fail = (description: string): AssertionOutcome => ({ ok: false, description });
    const nowMs = this.clock();
    const nowS = nowMs / 1000;
    if (claims.iss !== clientId || claims.sub !== clientId)
      return fail('client assertion iss and sub must both be the client id');
    const aud = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!aud.some((value) => typeof value === 'string' && audiences.includes(value)))
      return fail(`client assertion audience not accepted (use ${audiences.join(' or ')})`);
    if (typeof claims.exp !== 'number') return fail('client assertion has no exp');
    if (claims.exp <= nowS - LEEWAY_S)
      return fail("client assertion expired (exp is in the past by the server's clock)");
    if (typeof claims.iat !== 'number') return fail('client assertion has no iat');
    if (claims.iat > nowS + LEEWAY_S)
      return fail("client assertion issued in the future (iat is after the server's clock)");
    if (claims.exp - claims.iat > MAX_LIFETIME_S)
      return fail(`client assertion lifetime too long (exp - iat is over ${MAX_LIFETIME_S} s)`);
    if (typeof claims.jti !== 'string' || claims.jti.length === 0) return fail('client assertion has no jti');
    const slot = `${clientId}\u0000${claims.jti}`;
    this.#forgetExpired(nowMs);
    if (this.#seen.has(slot)) return fail('client assertion replayed (jti seen before)');
    this.#seen.set(slot, (claims.exp + LEEWAY_S) * 1000);
    while (this.#seen.size > MAX_SEEN_JTIS) this.#seen.delete(this.#seen.keys().next().value!);
    this.verified.push(structuredClone({ header, claims }));
    return { ok: true, clientId };
  }

  #forgetExpired(nowMs: number): void {
    for (const [slot, until] of this.#seen) if (until <= nowMs) this.#seen.delete(slot);
  }
}
