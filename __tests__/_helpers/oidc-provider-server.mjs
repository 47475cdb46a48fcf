// A real OAuth 2.0 authorization server for the interoperability tests: panva's oidc-provider
// (OpenID certified), on 127.0.0.1, a free port. Run as a child process (oidc-provider is ESM only;
// jest never loads it): `node oidc-provider-server.mjs '<config JSON>'`. When it listens it prints
// one JSON line on stdout, `{ "issuer", "tokenUrl", "port" }`; it runs until killed or until its
// stdin closes (the parent died). A failure to start is printed on stderr, with exit code 1.
//
// The config (see oidc-provider.ts for its type):
// - clients: oidc-provider client metadata (client_id, token_endpoint_auth_method, client_secret,
//   jwks, tls_client_auth_subject_dn, tls_client_certificate_bound_access_tokens, …);
//   grant_types ['client_credentials'], no redirect_uris and no response_types by default;
// - resource: the one resource server (RFC 8707) that client_credentials issues tokens for
//   (default https://api.example), also the default when the request names none;
// - scope: the scopes that resource server knows (default 'payments:read payments:write');
// - accessTokenFormat: 'jwt' (default, signed ES256 with the provider's key) or 'opaque';
// - accessTokenTTL: seconds (default 600);
// - tls: { cert, key, ca } (PEM): serve HTTPS, ask for a client certificate (verified against ca,
//   never refused at the handshake) and enable mutual TLS client authentication and
//   certificate-bound access tokens (RFC 8705).

import { X509Certificate, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const resource = config.resource ?? 'https://api.example';
const scope = config.scope ?? 'payments:read payments:write';
const tls = config.tls;

/** The provider's own signing keys, new for every run: RS256 (its default) and ES256 (access tokens). */
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
      { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
    ],
  };
}

/** The peer certificate of the TLS connection behind a request, or undefined. */
function peerCertificate(ctx) {
  const socket = ctx.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(false);
  if (!peer || !peer.raw) return undefined;
  return new X509Certificate(peer.raw);
}

/** RFC 4514 string of a distinguished name as X509Certificate prints it (one RDN per line, root first). */
function rfc4514(subject) {
  return subject.split('\n').filter(Boolean).reverse().join(',');
}

const mTLS = tls
  ? {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      // PEM of the certificate the client presented in this connection's handshake.
      getCertificate(ctx) {
        return peerCertificate(ctx)?.toString();
      },
      // Verified by node:tls against `ca` (requestCert, rejectUnauthorized: false).
      certificateAuthorized(ctx) {
        return ctx.socket.authorized === true;
      },
      certificateSubjectMatches(ctx, property, expected) {
        const cert = peerCertificate(ctx);
        if (!cert) return false;
        switch (property) {
          case 'tls_client_auth_subject_dn':
            return rfc4514(cert.subject) === expected;
          case 'tls_client_auth_san_dns':
            return cert.checkHost(expected, { subject: 'never' }) === expected;
          case 'tls_client_auth_san_ip':
            return cert.checkIP(expected) === expected;
          case 'tls_client_auth_san_email':
            return cert.checkEmail(expected, { subject: 'never' }) === expected;
          default:
            return false;
        }
      },
    }
  : { enabled: false };

const clients = (config.clients ?? []).map((client) => ({
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  ...client,
}));

const server = tls
  ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false })
  : createHttpServer();

try {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients,
    jwks: signingKeys(),
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      ...(tls ? ['tls_client_auth', 'self_signed_tls_client_auth'] : []),
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      mTLS,
      resourceIndicators: {
        enabled: true,
        // client_credentials without a `resource` parameter gets a token for the one resource server.
        defaultResource: () => resource,
        getResourceServerInfo(_ctx, resourceIndicator) {
          if (resourceIndicator !== resource) throw new errors.InvalidTarget();
          return {
            scope,
            audience: resource,
            accessTokenTTL: config.accessTokenTTL ?? 600,
            accessTokenFormat: config.accessTokenFormat ?? 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer, tokenUrl: `${issuer}/token`, port })}\n`);
} catch (error) {
  process.stderr.write(`oidc-provider-server: cannot start: ${error?.stack ?? error}\n`);
  process.exit(1);
}

// The parent closes stdin (or dies): stop. SIGTERM and SIGINT stop at once too.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
