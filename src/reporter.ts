import type { PaymentAuthError } from './errors';
import type { StoreUnavailable } from './shared-flight';
import type { NormalizedOptions, PaymentAuthLogger, TokenEvent } from './options';

type Level = keyof PaymentAuthLogger;

/** Sends lifecycle events to the hooks and the logger. A throwing hook never breaks a request. */
export interface Reporter {
  log(level: Level, message: string, fields?: Record<string, unknown>): void;
  tokenIssued(event: TokenEvent): void;
  authError(error: PaymentAuthError): void;
  storeError(error: StoreUnavailable): void;
}

/** Builds the reporter; with no logger and no hooks every call is a no-op (nothing is printed). */
export function createReporter(options: Pick<NormalizedOptions, 'logger' | 'onTokenAcquired' | 'onTokenRefreshed' | 'onAuthError' | 'onStoreError'>): Reporter {
  const { logger } = options;
  const log = (level: Level, message: string, fields?: Record<string, unknown>): void => {
    if (!logger) return;
    try {
      logger[level](`axios-payment-auth: ${message}`, fields);
    } catch {
      // A broken logger must not break the request it was logging.
    }
  };
  const call = <T>(name: string, hook: ((arg: T) => void) | undefined, arg: T): void => {
    if (!hook) return;
    try {
      hook(arg);
    } catch (error) {
      log('warn', `${name} hook threw`, { error: error instanceof Error ? error.message : String(error) });
    }
  };
  return {
    log,
    tokenIssued(event) {
      log('debug', event.grant === 'refresh_token' ? 'token refreshed' : 'token acquired', { ...event });
      if (event.grant === 'refresh_token') call('onTokenRefreshed', options.onTokenRefreshed, event);
      else call('onTokenAcquired', options.onTokenAcquired, event);
    },
    authError(error) {
      log('error', 'token acquisition failed', { code: error.code, status: error.status, oauthError: error.oauthError, message: error.message });
      call('onAuthError', options.onAuthError, error);
    },
    storeError(error) {
      log('warn', 'token store unavailable, fetching in process', { operation: error.operation, message: error.message });
      call('onStoreError', options.onStoreError, error);
    },
  };
}
