import type { PaymentAuthRequestState } from './request-state';
import { isOptionsObject, ownOptions } from '../util/objects';

/**
 * The request state of a config (its `paymentAuth`), from own properties only: a `replayed` or a
 * `generation` planted on a polluted `Object.prototype` must not turn the 401 replay off or on.
 */
export function requestState(config: {
  paymentAuth?: false | PaymentAuthRequestState;
}): false | PaymentAuthRequestState | undefined {
  const state = Object.hasOwn(config, 'paymentAuth') ? config.paymentAuth : undefined;
  return isOptionsObject(state) ? ownOptions(state) : state;
}
