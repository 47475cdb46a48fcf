/** A failure of the token store (an error or a timeout); never of the token endpoint. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`token store ${operation} failed: ${detail}`);
  }
}
