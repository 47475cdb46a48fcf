import type { IncomingMessage, ServerResponse } from 'node:http';
import { REFRESH_PATH, TOKEN_PATH } from '../options/options';
import { handleApi } from './sandbox-api';
import { describeFault, type FaultQueue, type SandboxFault } from './sandbox-faults';
import { decodeBasic, envelope, mask, parseAuthorization, readBody, requestId, sendJson } from './sandbox-http';
import { handleToken } from './sandbox-token';
import type { SandboxContext, SandboxRequest } from './sandbox-types';

/** Applies a fault; true when it answered (or dropped) the call, false when the call goes on. */
async function applyFault(
  fault: SandboxFault,
  res: ServerResponse,
  entry: SandboxRequest,
  swallowed: WeakSet<ServerResponse>,
  stamp: () => void,
): Promise<boolean> {
  entry.fault = describeFault(fault);
  if (fault.hold) await fault.hold.catch(() => undefined);
  if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  stamp(); // the DPoP nonce may have changed while the call was held
  if (fault.drop) {
    entry.status = 0;
    res.socket?.destroy();
    return true;
  }
  if (fault.dropAfterHandling) {
    swallowed.add(res);
    return false;
  }
  if (fault.malformed) {
    entry.status = 200;
    sendJson(res, 200, '{"access_token":"at_trunc');
    return true;
  }
  if (fault.status === undefined) return false;
  entry.status = fault.status;
  const headers = {
    ...(fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {}),
    ...fault.headers,
  };
  sendJson(
    res,
    fault.status,
    fault.body ?? envelope('SANDBOX_FAULT', `Injected ${fault.status}`, requestId()),
    headers,
  );
  return true;
}

/**
 * The client a call comes from, as far as a fault needs it: at the token endpoints the one it names
 * (Basic header, or `client_id` in a form or JSON body), at the API the one its token was issued to.
 */
function callerOf(
  ctx: SandboxContext,
  route: SandboxRequest['route'],
  req: IncomingMessage,
  body: Buffer,
  authorization: { token: string } | undefined,
): string | undefined {
  if (route === 'api') return authorization ? ctx.authority.tokenClient(authorization.token) : undefined;
  const basic = decodeBasic(req.headers.authorization);
  if (basic) return basic.clientId;
  const text = body.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { client_id?: unknown }).client_id === 'string'
    )
      return (parsed as { client_id: string }).client_id;
  } catch {
    // A form body.
  }
  return new URLSearchParams(text).get('client_id') ?? undefined;
}

/**
 * The sandbox's request handler: routes a call, records it in `log`, applies armed faults. Every
 * answer carries a `Date` header from the sandbox's clock (offset included), not the wall clock,
 * and with `dpop: 'require-nonce'` every answer of the token endpoints and the API, faults
 * included, the current `DPoP-Nonce` (RFC 9449 §8.1, §9).
 * `swallowed` holds the responses whose answer a fault swallows (dropAfterHandling).
 */
export function createRequestHandler(
  ctx: SandboxContext,
  faults: FaultQueue,
  log: SandboxRequest[],
  swallowed: WeakSet<ServerResponse>,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Date', new Date(ctx.clock()).toUTCString());
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const route: SandboxRequest['route'] =
      path === TOKEN_PATH ? 'token' : path === REFRESH_PATH ? 'refresh' : path.startsWith('/api/v1/') ? 'api' : 'other';
    const stamp = (): void => {
      if (route === 'other') return;
      for (const [name, value] of Object.entries(ctx.dpop?.nonceHeaders() ?? {})) res.setHeader(name, value);
    };
    stamp();
    const body = await readBody(req);
    const entry: SandboxRequest = {
      route,
      method: req.method ?? 'GET',
      path,
      status: 0,
      bodyBytes: body?.length ?? 0,
      at: ctx.clock(),
    };
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string') entry.idempotencyKey = key;
    const authorization =
      route === 'api' ? parseAuthorization(req.headers.authorization, ctx.dpop !== undefined) : undefined;
    if (authorization) {
      entry.scheme = authorization.scheme;
      entry.token = mask(authorization.token);
    }
    log.push(entry);
    if (!body) {
      entry.status = 413;
      return sendJson(res, 413, envelope('PAYLOAD_TOO_LARGE', 'body too large', requestId()));
    }
    const fault = route === 'other' ? undefined : faults.take(route, callerOf(ctx, route, req, body, authorization));
    if (fault && (await applyFault(fault, res, entry, swallowed, stamp))) return;
    if (route === 'other') {
      entry.status = 404;
      return sendJson(res, 404, envelope('NOT_FOUND', 'Not found', requestId()));
    }
    if (route !== 'api' && req.method !== 'POST') {
      entry.status = 405;
      return sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' });
    }
    if (route === 'api') return handleApi(ctx, req, res, path, body, entry);
    return handleToken(ctx, route, req, res, body, entry);
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, envelope('INTERNAL', 'sandbox error', requestId()));
    });
  };
}
