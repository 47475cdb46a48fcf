/** How much of a `WWW-Authenticate` header is read: a real one is well under this. */
const MAX_HEADER_CHARS = 4096;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits on the commas that are not inside a quoted string. */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted) {
      current += c + (text[i + 1] ?? '');
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/**
 * The `error` of the DPoP challenge in a `WWW-Authenticate` header (RFC 9449 §7.1, RFC 9110
 * §11.6.1), e.g. `use_dpop_nonce` or `invalid_dpop_proof`; undefined when there is no DPoP
 * challenge or it names no error. Parameters of another scheme's challenge are never read.
 */
export function dpopChallengeError(header: unknown): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : typeof header === 'string' ? header : undefined;
  if (text === undefined) return undefined;
  let scheme: string | undefined;
  for (const part of splitOutsideQuotes(text.slice(0, MAX_HEADER_CHARS))) {
    let param = part.trim();
    const start = /^([^\s=]+)(?:\s+(.*))?$/.exec(param);
    // A token not followed by `=` starts a challenge: `DPoP error="..."`, `Bearer`, `Basic realm=...`.
    if (start && TOKEN.test(start[1]!) && !/^[^\s=]+\s*=/.test(param)) {
      scheme = start[1]!.toLowerCase();
      param = start[2] ?? '';
    }
    if (scheme !== 'dpop') continue;
    const match = /^error\s*=\s*(?:"([^"]*)"|([^\s",]+))\s*$/i.exec(param);
    if (match) return match[1] ?? match[2];
  }
  return undefined;
}
