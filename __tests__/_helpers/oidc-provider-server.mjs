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
//   certificate-bound access tokens (RFC 8705);
// - dpop: { requireNonce } (RFC 9449): DPoP with server nonces (a 32-byte secret, new every run),
//   required in every proof when requireNonce is true (default false), and proofs signed ES256,
//   PS256, RS256 or EdDSA. Without it the provider keeps its own DPoP defaults (oidc-provider 9:
//   on, ES256 and EdDSA, no nonces).
//
// Every token endpoint call is logged, in order, before it is answered; GET /test/token-requests
// returns the log (a JSON array of { grantType, clientId, status, error, tokenType, dpopNonce,
// proof, assertion }: the header and claims of the DPoP proof and of the client assertion the call
// carried, decoded, unverified), so a test counts the calls the provider really received.

import { X509Certificate, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const resource = config.resource ?? 'https://api.example';
const scope = config.scope ?? 'payments:read payments:write';
const tls = config.tls;
const dpop = config.dpop;

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

/** The protected header and claims of a JWT (not verified: the provider does that), or undefined. */
function decodeJwt(jwt) {
  if (typeof jwt !== 'string' || !jwt) return undefined;
  try {
    const [header, payload] = jwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    return { header, payload };
  } catch {
    return { malformed: true };
  }
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
    ...(dpop ? { enabledJWA: { dPoPSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'] } } : {}),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      mTLS,
      ...(dpop
        ? {
            dPoP: {
              enabled: true,
              nonceSecret: randomBytes(32),
              requireNonce: () => dpop.requireNonce === true,
            },
          }
        : {}),
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

  const tokenRequests = [];
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.oidc?.route !== 'token') return;
    const body = typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {};
    tokenRequests.push({
      grantType: ctx.oidc.params?.grant_type,
      clientId: ctx.oidc.client?.clientId,
      status: ctx.status,
      error: body.error,
      tokenType: body.token_type,
      dpopNonce: ctx.response.get('DPoP-Nonce') || undefined,
      proof: decodeJwt(ctx.get('DPoP')),
      assertion: decodeJwt(ctx.oidc.params?.client_assertion),
    });
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/test/token-requests') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(tokenRequests));
      return;
    }
    callback(req, res);
  });
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
