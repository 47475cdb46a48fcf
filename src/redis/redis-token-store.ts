import { isStoredToken, type StoredToken, type TokenStore } from '../store/token-store';
import { withTimeout } from '../util/timers';
import { decrypt, encrypt, parseEncryptionKey } from './encryption';

/**
 * The part of a Redis client the store uses: ioredis 5 and 6 (`new Redis(url)`, `Cluster`) fit.
 */
export interface RedisClientLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /**
   * ioredis connection state. While the client first connects (`wait`, `connecting`, `connect`)
   * commands are queued by ioredis and answered within the command deadline; once it has lost
   * its connection (`reconnecting`, `close`, `end`) they are refused at once, so no lock request
   * is queued to run long after its caller gave up.
   */
  readonly status?: string;
}

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A connected client, e.g. `new Redis(process.env.REDIS_URL)` from ioredis. */
  client: RedisClientLike;
  /** Prefix of every key the store writes. @default 'axios-payment-auth:' */
  keyPrefix?: string;
  /**
   * AES-256-GCM key (32 bytes: a Buffer, 64 hex characters, or base64) to encrypt tokens at rest,
   * so a Redis dump or a replica does not hand out working credentials. Every process of the
   * fleet needs the same key. @default none (tokens stored as JSON)
   */
  encryptionKey?: string | Uint8Array;
  /**
   * Deadline of each Redis command. ioredis would otherwise queue commands for about 10 s during
   * an outage. @default 500
   */
  commandTimeoutMs?: number;
}

/** ioredis states in which a command is sent now or as soon as the first connection is made. */
const USABLE_STATUS = new Set(['ready', 'wait', 'connecting', 'connect']);

/** Compare-and-delete: release the lock only if this owner still holds it. */
const UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A {@link TokenStore} on Redis, shared by every process of a fleet: one process fetches a token
 * while the others wait for it (under `SET NX PX` lock), and a token rejected anywhere is renewed
 * once. The client secret is never written; tokens can be encrypted at rest.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { RedisTokenStore } from 'axios-payment-auth/redis';
 *
 * const store = new RedisTokenStore({ client: new Redis(process.env.REDIS_URL), encryptionKey: process.env.TOKEN_STORE_KEY });
 * attachPaymentAuth(api, creds, { store });
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #key: Buffer | undefined;
  readonly #timeoutMs: number;

  constructor(options: RedisTokenStoreOptions) {
    if (!options || typeof options.client?.call !== 'function')
      throw new TypeError('RedisTokenStore: client must be a Redis client with call() (ioredis 5 or 6)');
    const timeout = options.commandTimeoutMs ?? 500;
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new TypeError('RedisTokenStore: commandTimeoutMs must be a positive number');
    if (options.keyPrefix !== undefined && typeof options.keyPrefix !== 'string')
      throw new TypeError('RedisTokenStore: keyPrefix must be a string');
    this.#client = options.client;
    this.#prefix = options.keyPrefix ?? 'axios-payment-auth:';
    this.#key = options.encryptionKey === undefined ? undefined : parseEncryptionKey(options.encryptionKey);
    this.#timeoutMs = timeout;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const name = this.#prefix + key;
    const raw = await this.#call('GET', name);
    if (typeof raw !== 'string') return undefined;
    const text = this.#key ? decrypt(this.#key, raw, name) : raw;
    const value: unknown = JSON.parse(text);
    return isStoredToken(value) ? value : undefined;
  }

  async set(key: string, token: StoredToken, ttlMs: number): Promise<void> {
    const name = this.#prefix + key;
    const text = JSON.stringify(token);
    await this.#call(
      'SET',
      name,
      this.#key ? encrypt(this.#key, text, name) : text,
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
    );
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.#call('SET', `${this.#prefix}${key}:lock`, owner, 'NX', 'PX', Math.max(1, Math.ceil(ttlMs)))) === 'OK'
    );
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.#call('EVAL', UNLOCK, 1, `${this.#prefix}${key}:lock`, owner);
  }

  /** One command with its own deadline; refused at once while the client has lost its connection. */
  #call(command: string, ...args: (string | number)[]): Promise<unknown> {
    const status = this.#client.status;
    if (status !== undefined && !USABLE_STATUS.has(status))
      return Promise.reject(new Error(`redis client is ${status}`));
    return withTimeout(
      this.#client.call(command, ...args),
      this.#timeoutMs,
      () => new Error(`redis ${command} took over ${this.#timeoutMs} ms`),
    );
  }
}
