import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A client the sandbox knows. */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
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
  readonly #clients = new Map<string, string>();
  readonly #access = new Map<string, IssuedToken>();
  readonly #refresh = new Map<string, IssuedToken>();
  /** Access tokens revoked so far, and when (epoch ms). */
  readonly #revokedAccess = new Map<string, number>();
  /** Every token ever issued, for leak scanners. */
  readonly issued: string[] = [];

  constructor(
    public lifetimes: SandboxLifetimes,
    private readonly now: () => number,
  ) {}

  addClient(client?: Partial<SandboxClient>): SandboxClient {
    const created = {
      clientId: client?.clientId ?? opaque('client'),
      clientSecret: client?.clientSecret ?? opaque('secret'),
    };
    this.#clients.set(created.clientId, created.clientSecret);
    return created;
  }

  /** Checks a client's secret in constant time. */
  authenticate(clientId: string, clientSecret: string): boolean {
    const known = this.#clients.get(clientId);
    return known !== undefined && sameSecret(known, clientSecret);
  }

  issueAccess(clientId: string): { accessToken: string; expiresInS: number } {
    const accessToken = opaque('at');
    this.issued.push(accessToken);
    this.#access.set(accessToken, { clientId, expiresAt: this.now() + this.lifetimes.accessTokenTtlS * 1000 });
    return { accessToken, expiresInS: this.lifetimes.accessTokenTtlS };
  }

  issueRefresh(clientId: string): string {
    const refreshToken = opaque('rt');
    this.issued.push(refreshToken);
    this.#refresh.set(refreshToken, { clientId, expiresAt: this.now() + this.lifetimes.refreshTokenTtlS * 1000 });
    return refreshToken;
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
