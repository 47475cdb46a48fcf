import type { ServerResponse } from 'node:http';
import type { AssertionVerifier, SandboxAssertion } from './sandbox-assertions';
import type { SandboxAuthority, SandboxClient, SandboxLifetimes, SandboxTokenState } from './sandbox-auth';
import type { DpopVerifier, SandboxDpopProof, SandboxDpopRecord } from './sandbox-dpop';
import type { SandboxFault, SandboxRoute } from './sandbox-faults';
import type { SandboxLedger, SandboxPayment } from './sandbox-payments';

/**
 * How clients authenticate at the sandbox's token and refresh endpoints: a client secret (Basic or
 * post body, RFC 6749 §2.3.1), a signed JWT (`private_key_jwt`, RFC 7523), or a client
 * certificate (RFC 8705: issued by a CA, or self-signed and registered).
 */
export type SandboxClientAuth = 'client_secret' | 'private_key_jwt' | 'tls_client_auth' | 'self_signed_tls_client_auth';

/** The sandbox's HTTPS setup. */
export interface SandboxTlsOptions {
  /** The server's certificate (PEM). */
  cert: string;
  /** The server's private key (PEM). */
  key: string;
  /** CAs that client certificates must chain to (`tls_client_auth`). @default none */
  clientCa?: string | string[];
}

/** Options of {@link startPaymentSandbox}. */
export interface PaymentSandboxOptions {
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Access token lifetime in seconds. @default 900 */
  accessTokenTtlS?: number;
  /** Refresh token lifetime in seconds. @default 86400 */
  refreshTokenTtlS?: number;
  /** Credentials of the default client. @default random ones (a random secret; no keys, no certificate) */
  credentials?: Partial<SandboxClient>;
  /**
   * More clients, registered besides the default one: each entry's missing fields are random (a
   * random id and secret for `{}`). For tests of many tenants; see {@link PaymentSandbox.clients}
   * and {@link PaymentSandbox.tokenClient}.
   * @default none
   */
  clients?: readonly Partial<SandboxClient>[];
  /** Clock in epoch ms, for tests that move time. @default Date.now */
  now?: () => number;
  /** How clients authenticate at the token and refresh endpoints. @default 'client_secret' (Basic or post body) */
  clientAuth?: SandboxClientAuth;
  /**
   * HTTPS instead of HTTP: the server's certificate and key (PEM). Required for the two TLS modes,
   * allowed for the others. With a TLS mode the server requests a client certificate.
   * @default undefined (plain HTTP)
   */
  tls?: SandboxTlsOptions;
  /**
   * Offset added to the sandbox's clock for everything it checks and for the `Date` header it sends
   * (a server whose clock differs from the client's), in ms.
   * @default 0
   */
  clockOffsetMs?: number;
  /**
   * DPoP (RFC 9449). With `true`, the token and refresh endpoints require a `DPoP` proof (else 400
   * `invalid_dpop_proof`) and issue access tokens of `token_type: 'DPoP'` bound to the proof's key
   * (`cnf.jkt`); the API then wants `Authorization: DPoP <token>` with a proof of the same key that
   * carries the token's hash (`ath`), and answers 401 with `WWW-Authenticate: DPoP …` otherwise.
   * Proofs must be signed with ES256, ES384, ES512, RS256, PS256 or EdDSA, name the request's
   * method (`htm`) and URL without query (`htu`), carry a `jti` never seen before and an `iat` at
   * most 60 s old and 5 s ahead by the sandbox's clock. With `'require-nonce'`, proofs must also
   * carry the server's current nonce (RFC 9449 §8, §9): sent in `DPoP-Nonce` on every answer of the
   * token endpoints and the API, asked for with `use_dpop_nonce`, changed by
   * {@link PaymentSandbox.rotateDpopNonce}. Refresh tokens stay unbound (RFC 9449 §5).
   * @default false (bearer tokens only; a `DPoP` header is ignored)
   */
  dpop?: boolean | 'require-nonce';
}

/** One entry of the sandbox's request log. Tokens are masked; secrets, keys and assertions never recorded. */
export interface SandboxRequest {
  route: SandboxRoute | 'other';
  method: string;
  path: string;
  status: number;
  /** The client, when the call authenticated (token endpoints) or carried a valid token (API). */
  clientId?: string;
  /**
   * How a token endpoint call authenticated the client: `basic`, `post` or `none` with a client
   * secret, `private_key_jwt` with an assertion, `tls` with a client certificate.
   */
  clientAuth?: 'basic' | 'post' | 'none' | 'private_key_jwt' | 'tls';
  grantType?: string;
  /** The bearer token of an API call, masked. */
  token?: string;
  /**
   * What the sandbox knew of that token when the call arrived: `revoked` means it was revoked after
   * it was issued (by `revokeAccessTokens()`), `unknown` that the sandbox never issued it.
   */
  tokenState?: SandboxTokenState;
  /** The `X-Request-Id` (and envelope `request_id`) of the API's answer, to find the call an error came from. */
  requestId?: string;
  /** `NO_TOKEN` or `INVALID_TOKEN` for an API 401. */
  errorCode?: string;
  /** The scheme of an API call's `Authorization` (`DPoP` only counts with the `dpop` option). */
  scheme?: 'Bearer' | 'DPoP';
  /**
   * The DPoP proof of the call, when it verified (`dpop` option): the thumbprint of its key, its
   * `jti`, `htm`, `htu`, and its `nonce` and whether it carried an `ath`, when it did. Never the
   * proof. Present also when the proof verified but its key is not the one the token is bound to.
   */
  dpop?: SandboxDpopRecord;
  /**
   * Why the call was refused for DPoP: `invalid_dpop_proof` (no proof, or one that fails a check),
   * `use_dpop_nonce` (the proof lacks the current nonce), `invalid_token` (an API call whose proof key
   * is not the one the token is bound to, or a bound token sent with the `Bearer` scheme).
   */
  dpopError?: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';
  idempotencyKey?: string;
  bodyBytes: number;
  fault?: string;
  /** When the call arrived (epoch ms, the sandbox's clock, offset included). */
  at: number;
}

/** Counts derived from the request log. */
export interface SandboxCounters {
  tokenCalls: number;
  refreshCalls: number;
  apiCalls: number;
  unauthorized: number;
  paymentsCreated: number;
  /** Answers that asked for a DPoP nonce (`use_dpop_nonce`), token endpoints and API together. */
  dpopNonceChallenges: number;
}

/** A running sandbox. */
export interface PaymentSandbox {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`); use it as the axios `baseURL` (with or without `/api/v1`). */
  readonly url: string;
  /** The sandbox's issuer identifier, its base URL (= {@link url}): an `aud` that assertions may carry. */
  readonly issuer: string;
  /** The full URL of the token endpoint. */
  readonly tokenUrl: string;
  /** Credentials of the default client. */
  readonly credentials: SandboxClient;
  /** The clients of the `clients` option, in its order (not the default one, nor those of {@link addClient}). */
  readonly clients: readonly SandboxClient[];
  /**
   * The client id an access or refresh token was issued to (whether it is still valid or not), or
   * undefined for a token the sandbox never issued: tests of many tenants check with it that each
   * request carried a token of its own tenant's client.
   */
  tokenClient(token: string): string | undefined;
  /** Every call so far, oldest first. */
  readonly requests: readonly SandboxRequest[];
  /** Counters over {@link requests}. */
  counters(): SandboxCounters;
  /** Registers another client (or replaces the one with that id); a random id and secret unless given. */
  addClient(client?: Partial<SandboxClient>): SandboxClient;
  /** Changes token lifetimes for tokens issued from now on. */
  setLifetimes(lifetimes: Partial<SandboxLifetimes>): void;
  /** Makes every access token issued so far invalid (API calls get 401 INVALID_TOKEN). */
  revokeAccessTokens(): void;
  /** Makes every refresh token issued so far invalid (refresh gets 401 invalid_grant). */
  revokeRefreshTokens(): void;
  /**
   * Arms a fault for the next `times` calls of a route; `Infinity` keeps it until
   * {@link clearFaults} (an outage).
   */
  injectFault(route: SandboxRoute, fault: SandboxFault, times?: number): void;
  /** Disarms every fault of `route`, or of every route: ends an outage. */
  clearFaults(route?: SandboxRoute): void;
  /** Payments created so far, across clients. */
  payments(): SandboxPayment[];
  /**
   * Every access and refresh token issued so far, in full: canaries for tests that check no token
   * reaches an error or a log line. Test use only.
   */
  issuedTokens(): readonly string[];
  /**
   * The decoded header and claims of every client assertion that verified (`private_key_jwt`),
   * oldest first: to check `aud`, `jti` uniqueness, `exp - iat`… Never the assertion itself.
   */
  assertions(): readonly SandboxAssertion[];
  /**
   * The decoded header (with the public `jwk`) and claims of every DPoP proof that verified, at the
   * token endpoints and the API, oldest first: to check `htu`, `ath`, `nonce`, `jti` uniqueness…
   * Never the proof itself. Empty without the `dpop` option.
   */
  dpopProofs(): readonly SandboxDpopProof[];
  /**
   * The `cnf.jkt` an access token is bound to: the RFC 7638 SHA-256 thumbprint (base64url) of the
   * DPoP key of the call that got it. Undefined for a token that is not DPoP-bound or unknown.
   */
  tokenBinding(accessToken: string): string | undefined;
  /**
   * Replaces the current DPoP nonce (`dpop: 'require-nonce'`) by a new random one: proofs with the
   * old nonce get `use_dpop_nonce` and the new one in `DPoP-Nonce`. Does nothing without nonces.
   */
  rotateDpopNonce(): void;
  /**
   * Clears the request log, the armed faults and the lists of {@link assertions} and
   * {@link dpopProofs} (tokens, payments, the DPoP nonce and the memory of seen `jti`s stay).
   */
  reset(): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** What the request handlers share (internal). */
export interface SandboxContext {
  mode: SandboxClientAuth;
  authority: SandboxAuthority;
  ledger: SandboxLedger;
  assertions: AssertionVerifier;
  /** DPoP proofs and nonce; undefined without the `dpop` option. */
  dpop: DpopVerifier | undefined;
  /** The sandbox's clock, offset included. */
  clock: () => number;
  issuer: string;
  tokenUrl: string;
  refreshUrl: string;
  /** Sends a JSON answer, or closes the socket when the fault says so (dropAfterHandling). */
  send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
}
