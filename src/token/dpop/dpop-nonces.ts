/** RFC 9449 §8.1: `nonce = 1*NQCHAR` (printable ASCII but `"` and `\`); longer ones are not kept. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/;
/** How many servers' nonces are kept; the least recently changed go first. */
const SERVERS_KEPT = 64;

/**
 * Who gave a nonce: the authorization server (token and refresh calls, RFC 9449 §8) or the
 * resource server (API calls, §9). Their nonces are distinct and only accepted by the server that
 * issued them (§9), even when both answer on one origin.
 */
export type NonceServer = 'authorization' | 'resource';

/**
 * The latest `DPoP-Nonce` of each server, by role and origin: updated from every answer that
 * carries one, unless that answer is older news. Answers arrive out of order: a request sent
 * before the nonce in use was learned may bring back the one before it, and must not put it back
 * (every request would then be challenged again).
 */
export class DpopNonces {
  readonly #nonces = new Map<string, { nonce: string; version: number }>();
  #version = 0;

  get(server: NonceServer, origin: string): string | undefined {
    return this.#nonces.get(`${server} ${origin}`)?.nonce;
  }

  /** Increases with every nonce learned: a request notes it when it is sent, for {@link learn}. */
  get version(): number {
    return this.#version;
  }

  /**
   * Learns `header` (a `DPoP-Nonce` value, if any) from the answer to a request sent at
   * `sentAtVersion`; returns whether the nonce in use changed.
   */
  learn(server: NonceServer, origin: string, header: unknown, sentAtVersion = Number.POSITIVE_INFINITY): boolean {
    const key = `${server} ${origin}`;
    const value = Array.isArray(header) ? (header as unknown[]).at(-1) : header;
    if (typeof value !== 'string') return false;
    const nonce = value.trim();
    if (!NONCE.test(nonce)) return false;
    const held = this.#nonces.get(key);
    if (held?.nonce === nonce || (held !== undefined && held.version > sentAtVersion)) return false;
    this.#nonces.delete(key);
    this.#nonces.set(key, { nonce, version: ++this.#version });
    if (this.#nonces.size > SERVERS_KEPT) this.#nonces.delete(this.#nonces.keys().next().value!);
    return true;
  }
}
