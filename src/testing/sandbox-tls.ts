import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { SandboxClient } from './sandbox-auth';
import type { SandboxClientAuth, SandboxTlsOptions } from './sandbox-types';

/** The client authentication modes that use a client certificate (RFC 8705 §2). */
export function isTlsMode(mode: SandboxClientAuth): mode is 'tls_client_auth' | 'self_signed_tls_client_auth' {
  return mode === 'tls_client_auth' || mode === 'self_signed_tls_client_auth';
}

/**
 * Options of the HTTPS server. A TLS mode asks for a client certificate but never refuses the
 * handshake (`rejectUnauthorized: false`): the token endpoint judges the certificate and answers
 * with an OAuth error, and the API checks bound tokens.
 */
export function httpsServerOptions(tls: SandboxTlsOptions, mode: SandboxClientAuth): ServerOptions {
  if (typeof tls.cert !== 'string' || typeof tls.key !== 'string')
    throw new TypeError('startPaymentSandbox: tls needs cert and key as PEM strings');
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== undefined ? { ca: tls.clientCa } : {}),
    requestCert: isTlsMode(mode),
    rejectUnauthorized: false,
  };
}

/** RFC 8705 §3.1 `x5t#S256`: base64url of the SHA-256 of the certificate's DER. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

/** The client certificate presented on a request's connection. */
export interface PresentedCertificate {
  der: Buffer;
  subject: Record<string, string | string[] | undefined>;
  /** Whether it chains to the server's `clientCa`. */
  authorized: boolean;
  authorizationError?: string;
  x5tS256: string;
}

/** The certificate the client presented on this connection, or undefined (plain HTTP, none sent). */
export function presentedCertificate(req: IncomingMessage): PresentedCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !Buffer.isBuffer(peer.raw) || peer.raw.length === 0) return undefined;
  const error = socket.authorizationError;
  return {
    der: peer.raw,
    subject: { ...(peer.subject as unknown as Record<string, string | string[] | undefined>) },
    authorized: socket.authorized === true,
    ...(error ? { authorizationError: String(error) } : {}),
    x5tS256: certificateThumbprint(peer.raw),
  };
}

/** `CN=a, O=b` → sorted `CN=a`, `O=b` (names upper-cased, values trimmed; `\,` escapes a comma). */
function dnEntries(dn: string): string[] {
  return dn
    .split(/(?<!\\)[,+]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = (eq < 0 ? part : part.slice(0, eq)).trim().toUpperCase();
      const value = (eq < 0 ? '' : part.slice(eq + 1)).trim().replace(/\\(.)/g, '$1');
      return `${name}=${value}`;
    })
    .sort();
}

function subjectEntries(subject: PresentedCertificate['subject']): string[] {
  return Object.entries(subject)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(
        (v) => `${name.toUpperCase()}=${v.trim()}`,
      ),
    )
    .sort();
}

/** Whether a certificate subject is the registered DN: the same attributes, in any order. */
export function subjectMatches(subject: PresentedCertificate['subject'], dn: string): boolean {
  const want = dnEntries(dn);
  const got = subjectEntries(subject);
  return want.length > 0 && want.length === got.length && want.every((entry, i) => entry === got[i]);
}

function registeredThumbprint(pem: string): string | undefined {
  try {
    return certificateThumbprint(new X509Certificate(pem).raw);
  } catch {
    return undefined;
  }
}

/**
 * Why a presented certificate does not authenticate `client` in `mode`, or undefined when it does.
 * Every reason starts with `client certificate does not match the registered one`.
 */
export function certificateMismatch(
  mode: 'tls_client_auth' | 'self_signed_tls_client_auth',
  client: SandboxClient,
  presented: PresentedCertificate,
): string | undefined {
  const prefix = 'client certificate does not match the registered one';
  if (mode === 'tls_client_auth') {
    if (client.tlsClientAuthSubjectDn === undefined) return `${prefix} (no tlsClientAuthSubjectDn is registered)`;
    if (!presented.authorized)
      return `${prefix} (it does not chain to a trusted CA: ${presented.authorizationError ?? 'unverified'})`;
    if (!subjectMatches(presented.subject, client.tlsClientAuthSubjectDn))
      return `${prefix} (subject is not ${client.tlsClientAuthSubjectDn})`;
    return undefined;
  }
  if (client.certificate === undefined) return `${prefix} (no certificate is registered)`;
  const registered = registeredThumbprint(client.certificate);
  if (registered === undefined) return `${prefix} (the registered certificate is not a readable PEM)`;
  return registered === presented.x5tS256 ? undefined : `${prefix} (SHA-256 fingerprints differ)`;
}
