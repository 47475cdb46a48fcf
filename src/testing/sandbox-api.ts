import type { IncomingMessage, ServerResponse } from 'node:http';
import { envelope, requestId } from './sandbox-http';
import { presentedCertificate } from './sandbox-tls';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/**
 * The payments API behind bearer auth. A token bound to a client certificate (RFC 8705 §3) is
 * accepted only over a connection that presents that certificate.
 */
export function handleApi(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
  entry: SandboxRequest,
): void {
  const { authority, ledger } = ctx;
  const id = requestId();
  entry.requestId = id;
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
    entry.status = status;
    ctx.send(res, status, payload, { 'X-Request-Id': id, ...headers });
  };
  const invalidToken = (message: string): void => {
    entry.errorCode = 'INVALID_TOKEN';
    return reply(401, envelope('INVALID_TOKEN', message, id), {
      'WWW-Authenticate': 'Bearer realm="payment-api", error="invalid_token"',
    });
  };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) {
    entry.errorCode = 'NO_TOKEN';
    return reply(401, envelope('NO_TOKEN', 'No bearer token was sent', id), {
      'WWW-Authenticate': 'Bearer realm="payment-api"',
    });
  }
  entry.tokenState = authority.accessTokenState(bearer);
  const clientId = authority.verifyAccess(bearer);
  if (!clientId) return invalidToken('The bearer token is invalid or expired');
  const binding = authority.accessBinding(bearer);
  if (binding !== undefined && presentedCertificate(req)?.x5tS256 !== binding)
    return invalidToken(
      'The bearer token is bound to a client certificate (RFC 8705) that this request did not present',
    );
  entry.clientId = clientId;
  if (path === '/api/v1/payments' && req.method === 'POST') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(400, envelope('VALIDATION_ERROR', 'body must be JSON', id));
    }
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const outcome = ledger.create(clientId, parsed, key, ctx.clock());
    if (outcome.kind === 'invalid') return reply(400, envelope('VALIDATION_ERROR', outcome.message, id));
    if (outcome.kind === 'key_reused')
      return reply(422, envelope('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was used with another request body', id));
    return reply(
      outcome.kind === 'created' ? 201 : 200,
      outcome.payment,
      outcome.kind === 'replayed' ? { 'Idempotent-Replayed': 'true' } : {},
    );
  }
  if (path === '/api/v1/payments' && req.method === 'GET') return reply(200, { data: ledger.list(clientId) });
  const match = /^\/api\/v1\/payments\/([^/]+)$/.exec(path);
  if (match && req.method === 'GET') {
    const payment = ledger.get(clientId, decodeURIComponent(match[1]!));
    return payment ? reply(200, payment) : reply(404, envelope('NOT_FOUND', 'No such payment', id));
  }
  return reply(404, envelope('NOT_FOUND', `No route ${req.method} ${path}`, id));
}
