/** RFC 9449 §8.1: `nonce = 1*NQCHAR` (printable ASCII but `"` and `\`); longer ones are not kept. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/;
/** How many origins' nonces are kept; the least recently learned go first. */
const SERVERS_KEPT = 64;

/**
 * The latest `DPoP-Nonce` of each origin, from the token endpoint (RFC 9449 §8) and the API (§9)
 * alike: updated from every answer that carries one.
 */
export class DpopNonces {
  readonly #nonces = new Map<string, string>();

  get(origin: string): string | undefined {
    return this.#nonces.get(origin);
  }

  /** Learns `header` (a `DPoP-Nonce` value, if any); returns whether the nonce in use changed. */
  learn(origin: string, header: unknown): boolean {
    const value = Array.isArray(header) ? (header as unknown[]).at(-1) : header;
    if (typeof value !== 'string') return false;
    const nonce = value.trim();
    if (!NONCE.test(nonce)) return false;
    if (this.#nonces.get(origin) === nonce) return false;
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    if (this.#nonces.size > SERVERS_KEPT) this.#nonces.delete(this.#nonces.keys().next().value!);
    return true;
  }
}
