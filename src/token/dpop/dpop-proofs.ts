import type { DpopPolicy } from '../../options/dpop-options';
import { UnusableKeyError } from '../client-assertion';
import { unusableDpopKeyError } from '../errors';
import { loadJose } from '../../util/jose';
import type { ServerClock } from '../server-clock';
import { prepareDpopKey, type DpopKey } from './dpop-key';
import { createJwsSigner } from './dpop-jws';
import { DpopNonces, type NonceServer } from './dpop-nonces';

/** What a proof is for: the request's method and URL, and the access token it goes with (API calls). */
export interface ProofTarget {
  method: string;
  /** The request URL: its query and fragment are left out of `htu` (RFC 9449 §4.2). */
  url: URL;
  accessToken?: string;
}

/** A proof, the nonce it carries (to tell a stale nonce from a new one), and when it was made. */
export interface Proof {
  jwt: string;
  nonce: string | undefined;
  /** {@link DpopNonces.version} when the proof was made: pass it to `learn()` with the answer. */
  nonceVersion: number;
}

/** `htu` of a URL: scheme, host, port and path, as the WHATWG parser normalises them. */
export function htuOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Makes the DPoP proofs of one attachment (RFC 9449 §4): one key for its whole life (a token is
 * bound to it, so it never changes under a cached token), a new proof with a new `jti` for every
 * request sent, retries and replays included, `iat` on the server's clock as far as it is known,
 * the latest nonce of the server it goes to, and `ath` for API calls.
 */
export class DpopProofs {
  readonly nonces = new DpopNonces();
  #key: Promise<DpopKey & { sign: (payload: Record<string, unknown>) => Promise<string> }> | undefined;
  /** `ath` of the last access token (the same token is sent many times). */
  #ath: { token: string; hash: Promise<string> } | undefined;

  constructor(
    private readonly policy: DpopPolicy,
    private readonly clock: ServerClock,
  ) {}

  /** The key, read or generated once; a failure is not kept (a load of jose may work next time). */
  key(): Promise<DpopKey & { sign: (payload: Record<string, unknown>) => Promise<string> }> {
    this.#key ??= prepareDpopKey(this.policy)
      .then(async (key) => ({
        ...key,
        sign: await createJwsSigner(key.signing, { typ: 'dpop+jwt', jwk: key.publicJwk }),
      }))
      .catch((error: unknown) => {
        this.#key = undefined;
        throw error instanceof UnusableKeyError ? unusableDpopKeyError(error.message) : error;
      });
    return this.#key;
  }

  /** The thumbprint of the key tokens are bound to (`cnf.jkt`). */
  async thumbprint(): Promise<string> {
    return (await this.key()).thumbprint;
  }

  /** A new proof for `target`, with the latest nonce of the server it goes to. */
  async proof(server: NonceServer, target: ProofTarget): Promise<Proof> {
    const key = await this.key();
    const ath = target.accessToken === undefined ? undefined : await this.#athOf(target.accessToken);
    const nonceVersion = this.nonces.version;
    const nonce = this.nonces.get(server, target.url.origin);
    const claims: Record<string, unknown> = {
      jti: crypto.randomUUID(),
      htm: target.method.toUpperCase(),
      htu: htuOf(target.url),
      iat: Math.floor(this.clock.now() / 1000),
    };
    if (ath !== undefined) claims.ath = ath;
    if (nonce !== undefined) claims.nonce = nonce;
    try {
      return { jwt: await key.sign(claims), nonce, nonceVersion };
    } catch {
      throw unusableDpopKeyError(
        `the key could not sign with ${key.signing.alg} (does the key fit the algorithm? RSA keys need 2048 bits or more)`,
      );
    }
  }

  /** `ath`: base64url of the SHA-256 of the access token's ASCII bytes (RFC 9449 §4.2). */
  #athOf(token: string): Promise<string> {
    if (this.#ath?.token !== token) {
      const hash = crypto.subtle
        .digest('SHA-256', new TextEncoder().encode(token))
        .then((digest) => loadJose().then((jose) => jose.base64url.encode(new Uint8Array(digest))));
      this.#ath = { token, hash };
    }
    return this.#ath.hash;
  }
}
