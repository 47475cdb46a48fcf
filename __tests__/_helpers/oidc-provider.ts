import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash, type JsonWebKey } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';

/**
 * oidc-provider client metadata (snake_case, as oidc-provider takes it). `grant_types` defaults to
 * `['client_credentials']`, `redirect_uris` and `response_types` to none.
 */
export interface OidcClient {
  client_id: string;
  token_endpoint_auth_method:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'private_key_jwt'
    | 'tls_client_auth'
    | 'self_signed_tls_client_auth';
  client_secret?: string;
  /** Public keys: for private_key_jwt; for self_signed_tls_client_auth with `x5c`. */
  jwks?: { keys: JsonWebKey[] };
  /** tls_client_auth: the RFC 4514 subject DN the certificate must carry, e.g. `CN=client-1`. */
  tls_client_auth_subject_dn?: string;
  /** RFC 8705 §3: bind the access tokens to the client certificate (`cnf.x5t#S256`). */
  tls_client_certificate_bound_access_tokens?: boolean;
  [metadata: string]: unknown;
}

/** How the authorization server is set up; see oidc-provider-server.mjs. */
export interface OidcProviderConfig {
  clients: OidcClient[];
  /** The one resource server client_credentials issues tokens for. @default 'https://api.example' */
  resource?: string;
  /** Its scopes. @default 'payments:read payments:write' */
  scope?: string;
  /** @default 'jwt' (signed ES256 by the provider) */
  accessTokenFormat?: 'jwt' | 'opaque';
  /** Access token lifetime in seconds. @default 600 */
  accessTokenTTL?: number;
  /** Serve HTTPS with this server certificate, ask for client certificates verified against `ca`, enable mTLS. */
  tls?: { cert: string; key: string; ca: string };
  /**
   * DPoP (RFC 9449) with server nonces (`DPoP-Nonce`), proofs signed ES256, PS256, RS256 or EdDSA.
   * Absent: oidc-provider's own DPoP defaults (on, ES256 and EdDSA, no nonces).
   */
  dpop?: {
    /** Every proof must carry a nonce of the provider's: a proof without one is `use_dpop_nonce`. @default false */
    requireNonce?: boolean;
  };
}

/** One call to the token endpoint, as the provider saw and answered it (logged before it answered). */
export interface TokenRequestRecord {
  grantType?: string;
  /** The authenticated client; undefined when client authentication failed. */
  clientId?: string;
  status: number;
  /** The OAuth error of a refusal, e.g. `use_dpop_nonce`. */
  error?: string;
  /** `DPoP` or `Bearer` when a token was issued. */
  tokenType?: string;
  /** The `DPoP-Nonce` of the answer. */
  dpopNonce?: string;
  /** The `DPoP` proof the call carried, decoded (not verified). */
  proof?: { header: Record<string, unknown>; payload: Record<string, unknown> };
  /** The client assertion (private_key_jwt) the call carried, decoded (not verified). */
  assertion?: { header: Record<string, unknown>; payload: Record<string, unknown> };
}

export interface OidcProvider {
  /** `http(s)://127.0.0.1:<port>` */
  issuer: string;
  /** `<issuer>/token` */
  tokenUrl: string;
  port: number;
  /** Every token endpoint call so far, in order: each call is logged before it is answered. */
  tokenRequests(): Promise<TokenRequestRecord[]>;
  /** Stops the server process (and waits for it to exit). Safe to call twice. */
  close(): Promise<void>;
}

const SCRIPT = join(__dirname, 'oidc-provider-server.mjs');
const START_TIMEOUT_MS = 20_000;

/** Every server process still running: killed when this process exits, whatever happened to the test. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function stop(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

/** Stops every server still running (an afterAll of the test file: no test leaves one behind). */
export async function stopAllOidcProviders(): Promise<void> {
  await Promise.all([...running].map(stop));
}

/**
 * Starts panva's oidc-provider on 127.0.0.1 in a child process (oidc-provider is ESM only, so jest
 * never loads it) and resolves once it listens. The child also stops by itself when its stdin
 * closes, i.e. when this process dies.
 */
export async function startOidcProvider(config: OidcProviderConfig): Promise<OidcProvider> {
  killAllOnExit();
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  running.add(child);
  // Never what keeps this process alive: should a test forget close(), jest can still exit, and
  // then the child goes too (the exit hook, and its stdin closing).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
    // DEBUG=oidc-provider:* shows what the provider thinks of each request.
    if (process.env.DEBUG?.includes('oidc-provider')) process.stderr.write(chunk);
  });

  try {
    const ready = await new Promise<{ issuer: string; tokenUrl: string; port: number }>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error(`oidc-provider did not start within ${START_TIMEOUT_MS} ms\n${stderr}`)),
        START_TIMEOUT_MS,
      );
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        fn();
      };
      child.once('error', (error) => settle(() => reject(error)));
      child.once('exit', (code, signal) =>
        settle(() => reject(new Error(`oidc-provider exited (${signal ?? code}) before it listened\n${stderr}`))),
      );
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        stdout += chunk;
        const line = stdout.indexOf('\n');
        if (line === -1) return;
        settle(() => {
          try {
            resolve(JSON.parse(stdout.slice(0, line)));
          } catch (error) {
            reject(error);
          }
        });
      });
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.on('error', () => undefined); // a failed kill: stop() falls back to SIGKILL, the exit hook to the closed stdin
    return {
      ...ready,
      tokenRequests: () => getJson<TokenRequestRecord[]>(`${ready.issuer}/test/token-requests`, config.tls?.ca),
      close: () => stop(child),
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

/** GETs `url` and parses its JSON, with node:http(s) (no axios interceptors, no nock). */
function getJson<T>(url: string, ca: string | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsGet(url, { ca }) : httpGet(url);
    request.once('error', reject);
    request.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('error', reject);
      response.once('end', () => {
        try {
          if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode}`);
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}

/** Base64url SHA-256 of a certificate's DER: the `x5t#S256` of RFC 8705 §3.1. */
export function certificateThumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

/** The public JWK of a certificate's key, with the certificate as `x5c` (self_signed_tls_client_auth). */
export function certificateJwk(pem: string): JsonWebKey {
  const cert = new X509Certificate(pem);
  return { ...cert.publicKey.export({ format: 'jwk' }), x5c: [cert.raw.toString('base64')] } as JsonWebKey;
}
