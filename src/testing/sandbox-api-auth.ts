import type { IncomingMessage } from 'node:http';
import { DPOP_ALGORITHMS } from './sandbox-dpop';
import { parseAuthorization } from './sandbox-http';
import { presentedCertificate } from './sandbox-tls';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/** Who an API call is from, or the answer that refuses it (the envelope's code and message). */
export type ApiAuthorization =
  | { ok: true; clientId: string }
  | { ok: false; status: number; code: string; message: string; headers: Record<string, string> };

/**
 * A `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1): the algorithms accepted when no token came,
 * else the error and its description (never a quote or a backslash in them).
 */
function dpopChallenge(error?: string, description?: string): string {
  if (error === undefined) return `DPoP algs="${DPOP_ALGORITHMS.join(' ')}"`;
  return `DPoP error="${error}", error_description="${description}"`;
}

/**
 * Checks the access token of an API call: `Bearer`, or with `dpop` the DPoP scheme and a proof of
 * the key the token is bound to (RFC 9449 §7), whose `ath` is the token's hash. A token bound to a
 * client certificate (RFC 8705 §3) is accepted only over a connection that presents it.
 * @param path the request's path, without query: with the sandbox's base URL, the `htu` expected
 */
export async function authorizeApiCall(
  ctx: SandboxContext,
  req: IncomingMessage,
  path: string,
  entry: SandboxRequest,
): Promise<ApiAuthorization> {
  const { authority, dpop } = ctx;
  const refuse = (code: string, message: string, challenge: string): ApiAuthorization => {
    entry.errorCode = code;
    return { ok: false, status: 401, code, message, headers: { 'WWW-Authenticate': challenge } };
  };
  const invalidToken = (message: string, description: string = message): ApiAuthorization => {
    const challenge = dpop
      ? dpopChallenge('invalid_token', description)
      : 'Bearer realm="payment-api", error="invalid_token"';
    return refuse('INVALID_TOKEN', message, challenge);
  };
  const presented = parseAuthorization(req.headers.authorization, dpop !== undefined);
  if (!presented)
    return dpop
      ? refuse('NO_TOKEN', 'No access token was sent (use Authorization: DPoP and a DPoP proof)', dpopChallenge())
      : refuse('NO_TOKEN', 'No bearer token was sent', 'Bearer realm="payment-api"');
  const { scheme, token } = presented;
  entry.tokenState = authority.accessTokenState(token);
  const clientId = authority.verifyAccess(token);
  if (!clientId) return invalidToken(`The ${dpop ? 'access' : 'bearer'} token is invalid or expired`);
  const certificate = authority.accessBinding(token);
  if (certificate !== undefined && presentedCertificate(req)?.x5tS256 !== certificate)
    return invalidToken(
      `The ${dpop ? 'access' : 'bearer'} token is bound to a client certificate (RFC 8705) that this request did not present`,
    );
  const jkt = authority.dpopBinding(token);
  if (!dpop || (jkt === undefined && scheme === 'Bearer')) return { ok: true, clientId };
  if (jkt === undefined) return invalidToken('The access token is not DPoP-bound: send it with the Bearer scheme');
  if (scheme !== 'DPoP') {
    entry.dpopError = 'invalid_token';
    return invalidToken(
      'The access token is DPoP-bound (RFC 9449): send it with Authorization: DPoP and a DPoP proof',
      'DPoP-bound access token sent with the Bearer scheme',
    );
  }
  const proof = await dpop.verify(req, `${ctx.issuer}${path}`, token);
  if (!proof.ok) {
    if (proof.serverError) return { ok: false, status: 500, code: 'INTERNAL', message: proof.description, headers: {} };
    entry.dpopError = proof.error;
    return proof.error === 'use_dpop_nonce'
      ? refuse(
          'INVALID_TOKEN',
          'The DPoP proof must carry the nonce of the DPoP-Nonce header',
          dpopChallenge('use_dpop_nonce', 'Resource server requires nonce in DPoP proof'),
        )
      : refuse('INVALID_TOKEN', proof.description, dpopChallenge('invalid_dpop_proof', proof.description));
  }
  entry.dpop = proof.record;
  if (proof.jkt !== jkt) {
    entry.dpopError = 'invalid_token';
    return invalidToken(
      'The DPoP proof is signed with another key than the one the access token is bound to',
      'DPoP proof key does not match the access token binding',
    );
  }
  return { ok: true, clientId };
}
