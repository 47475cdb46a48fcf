import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the sandbox reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function requestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}

/** Reads a request body up to {@link MAX_BODY_BYTES}; undefined when it is larger. */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a form or JSON body into string fields; undefined when unreadable. */
export function parseFields(body: Buffer, contentType: string | undefined): Record<string, string> | undefined {
  const text = body.toString('utf8');
  if (/^application\/json\b/i.test(contentType ?? '')) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return undefined;
    }
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? ''))
    return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The Payment API error envelope. */
export function envelope(
  code: string,
  message: string,
  id: string,
): { error: { code: string; message: string; request_id: string } } {
  return { error: { code, message, request_id: id } };
}

/** Decodes `Authorization: Basic` per RFC 6749 §2.3.1 (form-urlencoded id and secret). */
export function decodeBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { clientId: unform(decoded.slice(0, colon)), clientSecret: unform(decoded.slice(colon + 1)) };
}

/**
 * The access token of an API call's `Authorization`: the `Bearer` scheme, and `DPoP` (RFC 9449 §7.1)
 * when `dpop` is on. Schemes are case-insensitive (RFC 9110 §11.1).
 */
export function parseAuthorization(
  header: string | undefined,
  dpop: boolean,
): { scheme: 'Bearer' | 'DPoP'; token: string } | undefined {
  const match = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  if (scheme === 'DPoP' && !dpop) return undefined;
  return { scheme, token: match[2]! };
}

/** A token, masked for the request log: enough to tell tokens apart, not to use one. */
export function mask(token: string): string {
  return token.length <= 16 ? '***' : `${token.slice(0, 12)}…`;
}
