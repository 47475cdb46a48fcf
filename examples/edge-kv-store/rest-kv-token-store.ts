import type { StoredToken, TokenStore } from 'axios-payment-auth';

/** Options of {@link RestKvTokenStore}. */
export interface RestKvTokenStoreOptions {
  /** The REST endpoint of a Redis-over-HTTP service: each command is POSTed as a JSON array. */
  url: string;
  /** Its bearer token. */
  token: string;
  /** Prefix of every key. @default 'axios-payment-auth:' */
  keyPrefix?: string;
  /**
   * AES-256-GCM key for the tokens at rest, 32 bytes in base64 (`openssl rand -base64 32`), the
   * same in every isolate. Without it the store holds the refresh token in clear.
   * @default none
   */
  encryptionKey?: string;
  /** Deadline of each command. @default 1000 */
  timeoutMs?: number;
}

/** Deletes the lock only while it still holds the caller's owner id (compare-and-delete). */
const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * A `TokenStore` over a Redis-over-HTTP API (one JSON array per command, `{ result }` back, as
 * Upstash's REST API answers): nothing but `fetch` and Web Crypto, so it runs on Node, Bun, Deno
 * and in Cloudflare Workers. Isolates that share it share one token and one token call.
 */
export class RestKvTokenStore implements TokenStore {
  readonly #options: Required<Omit<RestKvTokenStoreOptions, 'encryptionKey'>>;
  readonly #key: ReturnType<typeof crypto.subtle.importKey> | undefined;

  constructor(options: RestKvTokenStoreOptions) {
    this.#options = { keyPrefix: 'axios-payment-auth:', timeoutMs: 1000, ...options };
    const raw = options.encryptionKey === undefined ? undefined : fromBase64(options.encryptionKey.trim());
    if (raw !== undefined && raw.length !== 32) throw new TypeError('encryptionKey must be 32 bytes in base64');
    this.#key = raw && crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const value = await this.#command<string | null>(['GET', `${this.#options.keyPrefix}token:${key}`]);
    // The token manager checks the shape; a value it cannot read counts as no token.
    return value === null ? undefined : (JSON.parse(await this.#open(key, value)) as StoredToken);
  }

  async set(key: string, token: StoredToken, ttlMs: number): Promise<void> {
    const value = await this.#seal(key, JSON.stringify(token));
    await this.#command(['SET', `${this.#options.keyPrefix}token:${key}`, value, 'PX', String(Math.ceil(ttlMs))]);
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const lock = `${this.#options.keyPrefix}lock:${key}`;
    return (await this.#command(['SET', lock, owner, 'NX', 'PX', String(Math.ceil(ttlMs))])) === 'OK';
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.#command(['EVAL', UNLOCK, '1', `${this.#options.keyPrefix}lock:${key}`, owner]);
  }

  async #command<T>(command: string[]): Promise<T> {
    const res = await fetch(this.#options.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(command),
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    const body = (await res.json()) as { result?: T; error?: string };
    // The command is named, never its arguments: they hold the token.
    if (!res.ok || body.error !== undefined) throw new Error(`key-value store: ${command[0]} failed (${res.status})`);
    return body.result as T;
  }

  /** `v1.<iv>.<ciphertext>`, bound to its key (a value copied under another key does not open). */
  async #seal(key: string, text: string): Promise<string> {
    if (!this.#key) return text;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const additionalData = new TextEncoder().encode(key);
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData },
      await this.#key,
      new TextEncoder().encode(text),
    );
    return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
  }

  async #open(key: string, value: string): Promise<string> {
    if (!this.#key) return value;
    const [version, iv, data] = value.split('.');
    if (version !== 'v1' || !iv || !data) throw new Error('key-value store: a value that is not encrypted');
    const additionalData = new TextEncoder().encode(key);
    const text = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv), additionalData },
      await this.#key,
      fromBase64(data),
    );
    return new TextDecoder().decode(text);
  }
}
