import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeApiCall } from './sandbox-api-auth';
import { envelope, requestId } from './sandbox-http';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/**
 * The payments API behind bearer auth (or DPoP, RFC 9449, with the `dpop` option). A token bound
 * to a client certificate (RFC 8705 §3) is accepted only over a connection that presents that
 * certificate, one bound to a DPoP key only with a proof of that key.
 */
export async function handleApi(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
  entry: SandboxRequest,
): Promise<void> {
  const { ledger } = ctx;
  const id = requestId();
  entry.requestId = id;
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
    entry.status = status;
    ctx.send(res, status, payload, { 'X-Request-Id': id, ...headers });
  };
  const authorization = await authorizeApiCall(ctx, req, path, entry);
  if (!authorization.ok)
    return reply(authorization.status, envelope(authorization.code, authorization.message, id), authorization.headers);
  const { clientId } = authorization;
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
