import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateClient } from './sandbox-client-auth';
import { parseFields } from './sandbox-http';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/**
 * The token endpoint (`client_credentials`) and the refresh endpoint (`refresh_token`), with the
 * client authentication of the sandbox's mode. In a TLS mode the access tokens issued are bound to
 * the client certificate (RFC 8705 §3); with `dpop`, to the key of the call's DPoP proof (RFC 9449
 * §5), which is checked before the client authenticates: a nonce challenge spends no assertion.
 */
export async function handleToken(
  ctx: SandboxContext,
  route: 'token' | 'refresh',
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  entry: SandboxRequest,
): Promise<void> {
  const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
    entry.status = status;
    ctx.send(res, status, payload, headers);
  };
  const fields = parseFields(body, req.headers['content-type']);
  if (!fields)
    return reply(400, {
      error: 'invalid_request',
      error_description: 'body must be application/x-www-form-urlencoded or JSON',
    });
  const endpointUrl = route === 'token' ? ctx.tokenUrl : ctx.refreshUrl;
  let jkt: string | undefined;
  if (ctx.dpop) {
    const proof = await ctx.dpop.verify(req, endpointUrl);
    if (!proof.ok) {
      if (proof.serverError) return reply(500, { error: 'server_error', error_description: proof.description });
      entry.dpopError = proof.error;
      return reply(400, {
        error: proof.error,
        error_description:
          proof.error === 'use_dpop_nonce' ? 'Authorization server requires nonce in DPoP proof' : proof.description,
      });
    }
    entry.dpop = proof.record;
    jkt = proof.jkt;
  }
  // RFC 9449 §5: a DPoP-bound access token is of type DPoP.
  const tokenType = jkt === undefined ? 'Bearer' : 'DPoP';
  const auth = await authenticateClient(ctx, req, fields, endpointUrl);
  if (auth.method !== undefined) {
    entry.clientAuth = auth.method;
    entry.grantType = fields.grant_type;
  }
  if ('refusal' in auth) {
    const { status, error, description, headers } = auth.refusal;
    return reply(status, { error, error_description: description }, headers);
  }
  const clientId = auth.clientId;
  if (clientId !== undefined) entry.clientId = clientId;
  const { authority } = ctx;
  if (route === 'token') {
    if (clientId === undefined)
      return reply(401, { error: 'invalid_client', error_description: 'client authentication required' });
    if (fields.grant_type !== 'client_credentials')
      return reply(400, { error: 'unsupported_grant_type', error_description: 'use client_credentials' });
    const access = authority.issueAccess(clientId, auth.x5tS256, jkt);
    return reply(200, {
      access_token: access.accessToken,
      token_type: tokenType,
      expires_in: access.expiresInS,
      refresh_token: authority.issueRefresh(clientId),
    });
  }
  if (fields.grant_type !== undefined && fields.grant_type !== 'refresh_token')
    return reply(400, { error: 'unsupported_grant_type', error_description: 'use refresh_token' });
  const owner = fields.refresh_token ? authority.verifyRefresh(fields.refresh_token) : undefined;
  if (!owner || (clientId !== undefined && owner !== clientId))
    return reply(401, { error: 'invalid_grant', error_description: 'refresh token is invalid, expired or revoked' });
  entry.clientId = owner;
  const access = authority.issueAccess(owner, auth.x5tS256, jkt);
  return reply(200, { access_token: access.accessToken, token_type: tokenType, expires_in: access.expiresInS });
}
