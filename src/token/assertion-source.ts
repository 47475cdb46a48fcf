import {
  assertionClaims,
  prepareSigningKey,
  signAssertion,
  UnusableKeyError,
  type SigningKey,
} from './client-assertion';
import { sameKey, type Credentials, type PrivateKeyJwtCredentials } from './credentials';
import { assertionCallbackFailedError, unusableKeyError } from './errors';
import type { ServerClock } from './server-clock';

/** Compact JWS: three base64url parts. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** How many recent assertions are kept to clean text of (each is valid for 60 s at most). */
const RECENT_ASSERTIONS = 4;

/**
 * Makes the client assertions of `private_key_jwt` (RFC 7523 §2.2): a new one, with a new `jti`,
 * for every token and refresh call, retries included; never reused. Signs with the credentials'
 * `privateKey` (imported once per key) or asks their `clientAssertion` callback.
 */
export class AssertionSource {
  #key: { input: PrivateKeyJwtCredentials; signing: Promise<SigningKey> } | undefined;
  readonly #recent: string[] = [];

  constructor(
    private readonly audience: string,
    private readonly clock: ServerClock,
  ) {}

  /** A new assertion for `credentials`; rejects with `CREDENTIALS_MISSING` when none can be made. */
  async create(credentials: Credentials): Promise<string> {
    const claims = assertionClaims(credentials.clientId, this.audience, this.clock.now());
    let jws: unknown;
    if ('clientAssertion' in credentials) {
      try {
        jws = await credentials.clientAssertion({ ...claims });
      } catch (cause) {
        throw assertionCallbackFailedError(cause);
      }
      if (typeof jws !== 'string' || !COMPACT_JWS.test(jws))
        throw unusableKeyError('the clientAssertion callback did not return a compact JWS (header.payload.signature)');
    } else {
      try {
        jws = await signAssertion(await this.#signingKey(credentials as PrivateKeyJwtCredentials), claims);
      } catch (error) {
        if (error instanceof UnusableKeyError) throw unusableKeyError(error.message);
        throw error;
      }
    }
    this.#recent.push(jws as string);
    if (this.#recent.length > RECENT_ASSERTIONS) this.#recent.shift();
    return jws as string;
  }

  /**
   * The last few assertions made, whole and their payload and signature apart (a server that
   * quotes the end of what it was sent cuts the JWS): what text from outside is cleaned of.
   */
  recent(): readonly string[] {
    return this.#recent.flatMap((jws) => [jws, ...jws.split('.').slice(1)]);
  }

  /** The signing key of `credentials`, imported once for as long as the same key is given. */
  #signingKey(credentials: PrivateKeyJwtCredentials): Promise<SigningKey> {
    const held = this.#key?.input;
    if (
      !held ||
      !sameKey(held.privateKey, credentials.privateKey) ||
      held.keyId !== credentials.keyId ||
      held.algorithm !== credentials.algorithm
    ) {
      this.#key = { input: credentials, signing: prepareSigningKey(credentials) };
    }
    return this.#key!.signing;
  }
}
