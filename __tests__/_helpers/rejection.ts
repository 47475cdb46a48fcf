import { isPaymentAuthError, type PaymentAuthError } from '../../src';

/** The reason `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The `PaymentAuthError` that `promise` rejects with; fails the test on anything else. */
export async function authFailure(promise: Promise<unknown>): Promise<PaymentAuthError> {
  const error = await rejection(promise);
  if (isPaymentAuthError(error)) return error;
  throw error;
}
