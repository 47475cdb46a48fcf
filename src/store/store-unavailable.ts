import { quoteServerText } from '../errors/redact';

/** What the package does when a store call fails, as the store warning says it. */
export type StoreErrorConsequence =
  | 'fetching in process'
  | 'the token was not shared'
  | 'its lock expires on its own'
  | 'no token taken from it'
  | 'this process decides alone whether to call the token endpoint'
  | 'the breaker gate expires on its own';

/** Longest store error detail kept in the message. */
const MAX_DETAIL = 300;

/** A failure of the token store (an error or a timeout); never of the token endpoint. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  /** What the store said: its error's message, or the timeout. */
  readonly detail: string;

  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`token store ${operation} failed: ${detail}`);
    this.detail = detail;
  }

  /**
   * The same failure with its detail made safe to log: a store's error may quote the value it
   * failed to write or read (a token), so the detail is cleaned of `secrets`, one line, bounded.
   */
  cleanedOf(secrets: readonly (string | undefined)[]): StoreUnavailable {
    return new StoreUnavailable(this.operation, quoteServerText(this.detail, secrets, MAX_DETAIL));
  }
}
