import type { IncomingMessage } from 'node:http';
import { JWT_BEARER_ASSERTION } from './sandbox-assertions';
import { decodeBasic } from './sandbox-http';
import { certificateMismatch, isTlsMode, presentedCertificate } from './sandbox-tls';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/** An OAuth error answer of the token endpoints (RFC 6749 §5.2). */
export interface OAuthRefusal {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

/** How a token endpoint call authenticated its client; `clientId` is absent when it sent nothing. */
export interface ClientAuthentication {
  method: NonNullable<SandboxRequest['clientAuth']>;
  clientId?: string;
  /** The `x5t#S256` of the client certificate (TLS modes): tokens issued now are bound to it. */
  x5tS256?: string;
}

export type ClientAuthOutcome =
  ClientAuthentication | { refusal: OAuthRefusal; method?: ClientAuthentication['method'] };

const invalidClient = (description: string, headers?: Record<string, string>): { refusal: OAuthRefusal } => ({
  refusal: { status: 401, error: 'invalid_client', description, ...(headers ? { headers } : {}) },
});

/**
 * Authenticates the client of a token or refresh call the way the sandbox's `clientAuth` says.
 * `endpointUrl` is the URL of the endpoint called (an `aud` a client assertion may carry).
 */
export async function authenticateClient(
  ctx: SandboxContext,
  req: IncomingMessage,
  fields: Record<string, string>,
  endpointUrl: string,
): Promise<ClientAuthOutcome> {
  const basic = decodeBasic(req.headers.authorization);
  const secretSent = basic !== undefined || fields.client_secret !== undefined;
  const assertionSent = fields.client_assertion !== undefined || fields.client_assertion_type !== undefined;

  if (ctx.mode === 'client_secret') {
    const posted = fields.client_id !== undefined || fields.client_secret !== undefined;
    if (basic && posted)
      return {
        refusal: { status: 400, error: 'invalid_request', description: 'use one client authentication method' },
      };
    const method = basic ? 'basic' : posted ? 'post' : 'none';
    const client =
      basic ?? (posted ? { clientId: fields.client_id ?? '', clientSecret: fields.client_secret ?? '' } : undefined);
    if (!client) return { method };
    if (!ctx.authority.authenticate(client.clientId, client.clientSecret))
      return {
        method,
        ...invalidClient(
          'client authentication failed',
          basic ? { 'WWW-Authenticate': 'Basic realm="payment-api"' } : undefined,
        ),
      };
    return { method, clientId: client.clientId };
  }

  if (ctx.mode === 'private_key_jwt') {
    const method = 'private_key_jwt';
    if (secretSent)
      return {
        method,
        ...invalidClient('client secret not accepted: this server requires private_key_jwt (a client_assertion)'),
      };
    if (fields.client_assertion === undefined || fields.client_assertion === '')
      return { method, ...invalidClient('client assertion missing') };
    if (fields.client_assertion_type !== JWT_BEARER_ASSERTION)
      return { method, ...invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`) };
    const audiences = [...new Set([ctx.issuer, ctx.tokenUrl, endpointUrl])];
    const outcome = await ctx.assertions.verify(fields.client_assertion, audiences, fields.client_id);
    if (outcome.ok) return { method, clientId: outcome.clientId };
    if (outcome.serverError)
      return { method, refusal: { status: 500, error: 'server_error', description: outcome.description } };
    return { method, ...invalidClient(outcome.description) };
  }

  if (!isTlsMode(ctx.mode)) throw new TypeError(`unknown client authentication ${String(ctx.mode)}`);
  const method = 'tls';
  if (secretSent || assertionSent)
    return {
      method,
      ...invalidClient('only mutual TLS client authentication is accepted (client_id and a client certificate)'),
    };
  const clientId = fields.client_id;
  if (clientId === undefined || clientId === '')
    return { method, ...invalidClient('client_id required (mutual TLS client authentication)') };
  const client = ctx.authority.client(clientId);
  if (!client) return { method, ...invalidClient('unknown client') };
  const presented = presentedCertificate(req);
  if (!presented) return { method, ...invalidClient('client certificate required') };
  const mismatch = certificateMismatch(ctx.mode, client, presented);
  if (mismatch !== undefined) return { method, ...invalidClient(mismatch) };
  return { method, clientId, x5tS256: presented.x5tS256 };
}
