import type { AxiosError, AxiosInstance, AxiosResponse } from 'axios';
import { unlessCancelled } from './cancellation';
import { PaymentAuthError } from './errors';
import { cleanAxiosError } from './redact';
import { isReplayableBody } from './replay';
import type { Reporter } from './reporter';
import type { TokenManager } from './token-manager';
import './request-state';

function isAxiosError(value: unknown): value is AxiosError {
  return typeof value === 'object' && value !== null && (value as { isAxiosError?: unknown }).isAxiosError === true;
}

/**
 * The response error interceptor. For a request that carried our token:
 * - a 401 on its first attempt renews the token (once per token generation, however many 401s
 *   arrive) or picks up a newer one, and replays the request exactly once;
 * - a second 401, and every other error, goes back to the caller as the same `AxiosError`,
 *   cleaned of the bearer token;
 * - a 401 on a stream body renews the token for the next requests but rejects this one with
 *   `BODY_NOT_REPLAYABLE`, never resending an empty body.
 */
export function createResponseInterceptor(instance: AxiosInstance, manager: TokenManager, reporter: Reporter) {
  return async function paymentAuthResponseError(error: unknown): Promise<AxiosResponse> {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const state = config.paymentAuth;
    if (!state || state.generation === undefined) throw error;
    const sent = state.generation;
    if (error.response?.status !== 401) throw cleanAxiosError(error);
    if (state.replayed) {
      reporter.unauthorized(false);
      throw cleanAxiosError(error);
    }
    if (!isReplayableBody(config.data)) {
      reporter.unauthorized(false);
      manager.tokenAfterUnauthorized(sent).catch(() => {
        // Reported by the token manager; this request fails with its own error below.
      });
      throw new PaymentAuthError({
        code: 'BODY_NOT_REPLAYABLE',
        message: 'Request was rejected with 401 and its stream body cannot be sent again',
        hint: 'send a string, Buffer or object body to get automatic replays, or retry the call',
        status: 401,
        cause: cleanAxiosError(error),
      });
    }
    reporter.unauthorized(true);
    await unlessCancelled(() => manager.tokenAfterUnauthorized(sent), config);
    config.paymentAuth = { ...state, replayed: true };
    // The body is already serialised: do not run the caller's transformRequest a second time.
    config.transformRequest = [(data: unknown) => data];
    return instance.request(config);
  };
}
