import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { loadJose, type Jose } from '../util/jose';

/** Signature algorithms the sandbox accepts for DPoP proofs: asymmetric only (RFC 9449 §4.3). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA', 'Ed25519'];

/** How far in the past a proof's `iat` may be, in seconds. */
const MAX_AGE_S = 60;
/** How far in the future a proof's `iat` may be (clock skew), in seconds. */
const FUTURE_LEEWAY_S = 5;
/**
 * Most `jti`s remembered at once. A `jti` is never forgotten before its proof has expired (that
 * would let a replay through): beyond this, new proofs are refused until old ones expire.
 */
const MAX_SEEN_JTIS = 100_000;
/** JWK members that only a private or symmetric key has (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A DPoP proof that verified, decoded: its JOSE header (with the public `jwk`) and its claims. */
export interface SandboxDpopProof {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** What the request log keeps of a DPoP proof that verified (never the proof itself). */
export interface SandboxDpopRecord {
  /** RFC 7638 SHA-256 thumbprint (base64url) of the proof's `jwk`. */
  jkt: string;
  jti: string;
  htm: string;
  /** The `htu` claim as sent. */
  htu: string;
  /** The `nonce` claim, when the proof carried one. */
  nonce?: string;
  /** `true` when the proof carried an `ath` claim (API calls: always, it must match the token). */
  ath?: boolean;
}

/** Why a proof is refused: `use_dpop_nonce` when only its nonce is missing or stale. */
export type DpopProofError = 'invalid_dpop_proof' | 'use_dpop_nonce';

export type DpopOutcome =
  | { ok: true; jkt: string; record: SandboxDpopRecord }
  | {
      ok: false;
      error: DpopProofError;
      description: string;
      /** The sandbox's own failure (500), not the client's. */ serverError?: true;
    };

/** RFC 9449 §4.2 `ath`: base64url of the SHA-256 of the access token's ASCII. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * RFC 9449 §4.3 step 9: `htu` compared without query and fragment, scheme and host case-insensitive,
 * the default port dropped (the WHATWG URL parser does all three). Undefined when not a URL.
 */
function normaliseHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Verifies DPoP proofs (RFC 9449 §4.3) on the sandbox's clock, remembers their `jti`s, and holds
 * the current server nonce (§8, §9) when nonces are required.
 */
export class DpopVerifier {
  /** Every proof that verified, decoded. */
  readonly verified: SandboxDpopProof[] = [];
  /** `jti` → until when it is remembered (epoch ms). */
  readonly #seen = new Map<string, number>();
  #nonce = DpopVerifier.#newNonce();

  constructor(
    /** Whether proofs must carry the current nonce. */
    readonly requireNonce: boolean,
    private readonly clock: () => number,
    /** Most `jti`s remembered at once (see {@link MAX_SEEN_JTIS}). */
    private readonly maxSeen = MAX_SEEN_JTIS,
  ) {}

  static #newNonce(): string {
    return randomBytes(16).toString('base64url');
  }

  /** The nonce proofs must carry now, or undefined when nonces are not required. */
  get nonce(): string | undefined {
    return this.requireNonce ? this.#nonce : undefined;
  }

  /** `DPoP-Nonce: <current>` for an answer, or nothing when nonces are not required. */
  nonceHeaders(): Record<string, string> {
    return this.requireNonce ? { 'DPoP-Nonce': this.#nonce } : {};
  }

  /** Replaces the current nonce: proofs with the old one get `use_dpop_nonce`. */
  rotateNonce(): void {
    this.#nonce = DpopVerifier.#newNonce();
  }

  /**
   * Checks the `DPoP` header of a request.
   * @param htu the URL of the request as the sandbox sees itself, without query
   * @param accessToken the access token of an API call: the proof must carry its hash (`ath`)
   */
  async verify(req: IncomingMessage, htu: string, accessToken?: string): Promise<DpopOutcome> {
    const fail = (description: string): DpopOutcome => ({ ok: false, error: 'invalid_dpop_proof', description });
    const headers = req.headersDistinct.dpop ?? [];
    if (headers.length === 0) return fail('DPoP proof missing (send one DPoP header)');
    if (headers.length > 1) return fail('more than one DPoP header (send exactly one proof)');
    const proof = headers[0]!;
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof)) return fail('DPoP proof malformed (not a compact signed JWT)');
    let jose: Jose;
    try {
      jose = await loadJose();
    } catch {
      return {
        ok: false,
        error: 'invalid_dpop_proof',
        description: "DPoP needs the 'jose' package, which did not load",
        serverError: true,
      };
    }
    let header: Record<string, unknown>;
    try {
      header = jose.decodeProtectedHeader(proof) as Record<string, unknown>;
    } catch {
      return fail('DPoP proof malformed (its header is not JSON)');
    }
    if (header.typ !== 'dpop+jwt') return fail('DPoP proof typ must be dpop+jwt');
    if (typeof header.alg !== 'string' || !DPOP_ALGORITHMS.includes(header.alg))
      return fail(`DPoP proof algorithm not accepted (use one of ${DPOP_ALGORITHMS.join(', ')})`);
    const jwk = header.jwk;
    if (!isRecord(jwk)) return fail('DPoP proof has no jwk header (the public key)');
    if (PRIVATE_MEMBERS.some((member) => member in jwk))
      return fail('DPoP proof jwk must be a public key (it has private key members)');
    // RFC 7517 §4.2, §4.4: a key published for another use or algorithm does not sign this proof.
    if ((jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== header.alg))
      return fail('DPoP proof jwk is for another use or alg than the proof');
    let key: Awaited<ReturnType<Jose['importJWK']>>;
    try {
      key = await jose.importJWK(jwk, header.alg);
    } catch {
      return fail('DPoP proof jwk is not a public key usable with its alg');
    }
    if (key instanceof Uint8Array || key.type !== 'public')
      return fail('DPoP proof jwk is not a public key usable with its alg');
    let payload: Uint8Array;
    try {
      ({ payload } = await jose.compactVerify(proof, key, { algorithms: DPOP_ALGORITHMS }));
    } catch (error) {
      return fail(
        isRecord(error) && error.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
          ? 'DPoP proof signature does not verify against its jwk'
          : 'DPoP proof cannot be verified with its jwk and alg (a key of another type, or too small)',
      );
    }
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return fail('DPoP proof malformed (its claims are not JSON)');
    }
    if (!isRecord(claims)) return fail('DPoP proof claims are not a JSON object');
    return this.#checkClaims(req, header, claims, await jose.calculateJwkThumbprint(jwk, 'sha256'), htu, accessToken);
  }

  #checkClaims(
    req: IncomingMessage,
    header: Record<string, unknown>,
    claims: Record<string, unknown>,
    jkt: string,
    htu: string,
    accessToken: string | undefined,
  ): DpopOutcome {
    const fail = (description: string): DpopOutcome => ({ ok: false, error: 'invalid_dpop_proof', description });
    const nowMs = this.clock();
    const { jti } = claims;
    if (typeof jti !== 'string' || jti.length === 0) return fail('DPoP proof has no jti');
    this.#forgetExpired(nowMs);
    if (this.#seen.has(jti)) return fail('DPoP proof replayed (jti seen before)');
    if (this.#seen.size >= this.maxSeen)
      return fail(
        `too many DPoP proofs in the last ${MAX_AGE_S + FUTURE_LEEWAY_S} s (each jti is kept until its proof expires)`,
      );
    const problem = this.#problem(req, claims, htu, nowMs, accessToken);
    const nonceMissed = problem === undefined && this.requireNonce && claims.nonce !== this.#nonce;
    // A proof refused only for its nonce is not spent: the client may not know the nonce yet.
    if (nonceMissed) return { ok: false, error: 'use_dpop_nonce', description: 'DPoP proof nonce missing or stale' };
    this.#remember(jti, nowMs);
    if (problem !== undefined) return fail(problem);
    this.verified.push(structuredClone({ header, claims }));
    return {
      ok: true,
      jkt,
      record: {
        jkt,
        jti,
        htm: claims.htm as string,
        htu: claims.htu as string,
        ...(typeof claims.nonce === 'string' ? { nonce: claims.nonce } : {}),
        ...(claims.ath !== undefined ? { ath: true } : {}),
      },
    };
  }

  /** What is wrong with a proof's claims other than `jti` and `nonce`, or undefined. */
  #problem(
    req: IncomingMessage,
    claims: Record<string, unknown>,
    htu: string,
    nowMs: number,
    accessToken: string | undefined,
  ): string | undefined {
    if (claims.htm !== req.method) return `DPoP proof htm must be the request's method (${req.method})`;
    if (typeof claims.htu !== 'string' || normaliseHtu(claims.htu) !== normaliseHtu(htu))
      return `DPoP proof htu must be the request's URL without query (${htu})`;
    const nowS = nowMs / 1000;
    if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return 'DPoP proof has no iat';
    if (claims.iat < nowS - MAX_AGE_S)
      return `DPoP proof too old (iat is more than ${MAX_AGE_S} s before the server's clock)`;
    if (claims.iat > nowS + FUTURE_LEEWAY_S) return "DPoP proof issued in the future (iat is after the server's clock)";
    if (accessToken !== undefined && claims.ath !== accessTokenHash(accessToken))
      return 'DPoP proof ath must be the SHA-256 hash of the access token';
    return undefined;
  }

  /**
   * A proof is accepted at most {@link MAX_AGE_S} after its `iat`, which is at most
   * {@link FUTURE_LEEWAY_S} after the clock when it first came: remembering its `jti` that long
   * refuses every replay.
   */
  #remember(jti: string, nowMs: number): void {
    this.#seen.set(jti, nowMs + (MAX_AGE_S + FUTURE_LEEWAY_S) * 1000);
  }

  /** Forgets the `jti`s whose proofs have expired: the oldest first, in the order they came. */
  #forgetExpired(nowMs: number): void {
    for (const [jti, until] of this.#seen) {
      if (until > nowMs) break;
      this.#seen.delete(jti);
    }
  }
}
