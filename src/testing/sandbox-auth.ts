import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A public JWK (RFC 7517), as a client registers it. */
export interface SandboxPublicJwk {
  kty?: string;
  kid?: string;
  alg?: string;
  [member: string]: unknown;
}

/** A client the sandbox knows. Which fields count depends on the sandbox's `clientAuth`. */
export interface SandboxClient {
  clientId: string;
  /** The secret of `clientAuth: 'client_secret'` (Basic or post body). @default a random one */
  clientSecret: string;
  /** `private_key_jwt`: the client's public keys; assertions must verify against one of them. */
  jwks?: { keys: SandboxPublicJwk[] };
  /**
   * `tls_client_auth`: the subject DN the client certificate must carry, e.g. `'CN=client-1'` or
   * `'CN=client-1, O=Acme'` (attribute order and case of the names do not matter).
   */
  tlsClientAuthSubjectDn?: string;
  /** `self_signed_tls_client_auth`: the registered certificate (PEM); the presented one must be it. */
  certificate?: string;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  /** RFC 8705 §3: `x5t#S256` of the certificate the token is bound to. */
  x5tS256?: string;
}

/**
 * What the sandbox knows of an access token: still valid, expired, revoked (after it was issued),
 * or never issued by it.
 */
export type SandboxTokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

/** Token lifetimes of the sandbox, in seconds. */
export interface SandboxLifetimes {
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
}

function opaque(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The sandbox's authorization server state: clients, access tokens, refresh tokens. */
export class SandboxAuthority {
  readonly #clients = new Map<string, SandboxClient>();
  /** Every token issued, access and refresh, to the client it was issued to. */
  readonly #owners = new Map<string, string>();
  readonly #access = new Map<string, IssuedToken>();
  readonly #refresh = new Map<string, IssuedToken>();
  /** Access tokens revoked so far, and when (epoch ms). */
  readonly #revokedAccess = new Map<string, number>();
  /** RFC 9449 §6: access token → `cnf.jkt` of the DPoP key it is bound to; kept after expiry. */
  readonly #dpopBindings = new Map<string, string>();
  /** Every token ever issued, for leak scanners. */
  readonly issued: string[] = [];

  constructor(
    public lifetimes: SandboxLifetimes,
    private readonly now: () => number,
  ) {}

  /** Registers a client (or replaces the one with the same id). */
  addClient(client?: Partial<SandboxClient>): SandboxClient {
    const created: SandboxClient = {
      clientId: client?.clientId ?? opaque('client'),
      clientSecret: client?.clientSecret ?? opaque('secret'),
      ...(client?.jwks ? { jwks: structuredClone(client.jwks) } : {}),
      ...(client?.tlsClientAuthSubjectDn !== undefined
        ? { tlsClientAuthSubjectDn: client.tlsClientAuthSubjectDn }
        : {}),
      ...(client?.certificate !== undefined ? { certificate: client.certificate } : {}),
    };
    this.#clients.set(created.clientId, created);
    return { ...created };
  }

  /** The registered client with this id. */
  client(clientId: string): SandboxClient | undefined {
    return this.#clients.get(clientId);
  }

  /** Checks a client's secret in constant time. */
  authenticate(clientId: string, clientSecret: string): boolean {
    const known = this.#clients.get(clientId)?.clientSecret;
    return known !== undefined && sameSecret(known, clientSecret);
  }

  /**
   * Issues an access token, bound to a certificate when `x5tS256` is given (RFC 8705 §3), to a DPoP
   * key when `jkt` is (RFC 9449 §6).
   */
  issueAccess(clientId: string, x5tS256?: string, jkt?: string): { accessToken: string; expiresInS: number } {
    const accessToken = opaque('at');
    this.issued.push(accessToken);
    this.#owners.set(accessToken, clientId);
    if (jkt !== undefined) this.#dpopBindings.set(accessToken, jkt);
    this.#access.set(accessToken, {
      clientId,
      expiresAt: this.now() + this.lifetimes.accessTokenTtlS * 1000,
      ...(x5tS256 !== undefined ? { x5tS256 } : {}),
    });
    return { accessToken, expiresInS: this.lifetimes.accessTokenTtlS };
  }

  issueRefresh(clientId: string): string {
    const refreshToken = opaque('rt');
    this.issued.push(refreshToken);
    this.#owners.set(refreshToken, clientId);
    this.#refresh.set(refreshToken, { clientId, expiresAt: this.now() + this.lifetimes.refreshTokenTtlS * 1000 });
    return refreshToken;
  }

  /** The client an access or refresh token was issued to, whatever its state now; undefined if never issued. */
  tokenClient(token: string): string | undefined {
    return this.#owners.get(token);
  }

  /** The client id a valid access token belongs to, or undefined. */
  verifyAccess(token: string): string | undefined {
    const issued = this.#access.get(token);
    if (!issued) return undefined;
    if (this.now() >= issued.expiresAt) {
      this.#access.delete(token);
      return undefined;
    }
    return issued.clientId;
  }

  /** The `x5t#S256` an access token is bound to, or undefined for a plain bearer token. */
  accessBinding(token: string): string | undefined {
    return this.#access.get(token)?.x5tS256;
  }

  /** The `cnf.jkt` (JWK thumbprint) an access token is bound to, or undefined when it is not DPoP-bound. */
  dpopBinding(token: string): string | undefined {
    return this.#dpopBindings.get(token);
  }

  /** The client id a valid refresh token belongs to, or undefined. */
  verifyRefresh(token: string): string | undefined {
    const issued = this.#refresh.get(token);
    if (!issued) return undefined;
    if (this.now() >= issued.expiresAt) {
      this.#refresh.delete(token);
      return undefined;
    }
    return issued.clientId;
  }

  /** The state of an access token now; read-only (an expired token stays in the map). */
  accessTokenState(token: string): SandboxTokenState {
    if (this.#revokedAccess.has(token)) return 'revoked';
    const issued = this.#access.get(token);
    if (!issued) return 'unknown';
    return this.now() >= issued.expiresAt ? 'expired' : 'valid';
  }

  revokeAccessTokens(): number {
    const n = this.#access.size;
    const at = this.now();
    for (const token of this.#access.keys()) this.#revokedAccess.set(token, at);
    this.#access.clear();
    return n;
  }

  revokeRefreshTokens(): number {
    const n = this.#refresh.size;
    this.#refresh.clear();
    return n;
  }
}
