/**
 * The authorization server's clock, as far as this client knows it. A signed client assertion
 * carries wall-clock times (`iat`, `exp`): a client whose clock is off by more than the server's
 * leeway is rejected, so the offset is learned from the `Date` header of the token endpoint's
 * answers (RFC 9110 §6.6.1), or set by the caller.
 *
 * - An explicit `clockSkewMs` is used as it is, and nothing is learned.
 * - A `Date` has a resolution of one second and the answer took some time to travel: an offset
 *   within {@link NOISE_MS} is read as none.
 * - An offset beyond `maxMs` is never trusted (a gateway's stale cache, a broken server): it is
 *   kept only to be named in an error, and the clock is left as it is.
 */
export class ServerClock {
  #offsetMs: number;
  /** The last offset seen beyond the limit, for the hint of a rejected assertion. */
  #untrustedMs: number | undefined;
  #seenMs: number | undefined;

  constructor(
    private readonly wall: () => number,
    private readonly explicitMs: number | undefined,
    private readonly maxMs: number = MAX_LEARNED_OFFSET_MS,
  ) {
    this.#offsetMs = explicitMs ?? 0;
  }

  /** Now on this process's wall clock, epoch ms. */
  local(): number {
    return this.wall();
  }

  /** Now on the server's clock, epoch ms. */
  now(): number {
    return this.wall() + this.#offsetMs;
  }

  /** The offset in use: server time minus this clock's. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** The offset the last `Date` header showed, whether it was used or not. */
  get seenOffsetMs(): number | undefined {
    return this.#seenMs;
  }

  /** Whether the offset was set by the caller (`clockSkewMs`). */
  get explicit(): boolean {
    return this.explicitMs !== undefined;
  }

  /** An offset the server's `Date` showed that was too large to trust. */
  get untrustedOffsetMs(): number | undefined {
    return this.#untrustedMs;
  }

  /**
   * Learns from the `Date` header of an answer sent between `sentAt` and `receivedAt` (this
   * clock). Returns whether the offset in use changed.
   */
  learn(date: unknown, sentAt: number, receivedAt: number): boolean {
    if (typeof date !== 'string') return false;
    const serverMs = parseHttpDate(date);
    if (serverMs === undefined) return false;
    // The server wrote the header somewhere in [serverMs, serverMs + 1 s), while the call was out.
    const offset = serverMs + 500 - (sentAt + receivedAt) / 2;
    this.#seenMs = Math.round(offset);
    if (this.explicitMs !== undefined) return false;
    if (Math.abs(offset) > this.maxMs) {
      this.#untrustedMs = Math.round(offset);
      return false;
    }
    this.#untrustedMs = undefined;
    const next = Math.abs(offset) <= NOISE_MS ? 0 : Math.round(offset);
    if (Math.abs(next - this.#offsetMs) <= NOISE_MS && next !== 0) return false;
    const changed = next !== this.#offsetMs;
    this.#offsetMs = next;
    return changed;
  }
}

/**
 * The three forms of an HTTP date (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime. The first
 * two say GMT; asctime names no zone and means GMT.
 */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * An HTTP date in epoch ms, or undefined for anything else: `Date.parse` would read a date without
 * a zone (or one with garbage around it) in the local zone, and a client's offset would then
 * depend on where it runs.
 */
export function parseHttpDate(text: string): number | undefined {
  const trimmed = text.trim();
  const form =
    IMF_FIXDATE.test(trimmed) || RFC_850.test(trimmed) ? trimmed : ASCTIME.test(trimmed) ? `${trimmed} GMT` : undefined;
  if (form === undefined) return undefined;
  const ms = Date.parse(form);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Offsets within this are a `Date` header's rounding and the time on the wire. */
export const NOISE_MS = 1500;
/** The largest offset learned from a `Date` header: beyond it, set `clockSkewMs`. */
export const MAX_LEARNED_OFFSET_MS = 10 * 60_000;
