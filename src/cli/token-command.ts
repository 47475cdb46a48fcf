import axios from 'axios';
import { attachPaymentAuth, isPaymentAuthError } from '../index';
import { ALLOW_INSECURE_HTTP, attachUsageError, parseFlags, usage, UsageError, type CommandSpec } from './args';
import type { Io } from './io';

export const tokenSpec: CommandSpec = {
  name: 'token',
  headline: 'Prints an access token for PAYMENT_CLIENT_ID / PAYMENT_CLIENT_SECRET.',
  summary:
    'Prints an access token for PAYMENT_CLIENT_ID / PAYMENT_CLIENT_SECRET, and nothing else:\n  curl -H "Authorization: Bearer $(payment-auth token --base-url https://…)" …',
  flags: {
    'base-url': {
      type: 'string',
      description: 'Payment API base URL (https://host or https://host/api/v1); default PAYMENT_API_URL',
    },
    'token-url': { type: 'string', description: 'absolute token endpoint URL, if not under the base URL' },
    scope: { type: 'string', description: 'scope to request' },
    'auth-method': {
      type: 'string',
      description: 'client_secret_basic or client_secret_post',
      default: 'client_secret_basic',
    },
    'timeout-ms': {
      type: 'string',
      description: 'deadline of the token request',
      integer: { min: 1, max: 600_000 },
      default: '10000',
    },
    'allow-insecure-http': ALLOW_INSECURE_HTTP,
  },
};

/** `payment-auth token`: the token on stdout, a clear message and exit 1 on failure. */
export async function tokenCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseFlags(tokenSpec, argv);
  if (flags.help) {
    io.out(usage(tokenSpec));
    return 0;
  }
  const baseURL = (flags['base-url'] as string | undefined) ?? io.env.PAYMENT_API_URL;
  if (!baseURL) throw new UsageError('--base-url is required (or set PAYMENT_API_URL)');
  const method = flags['auth-method'];
  if (method !== 'client_secret_basic' && method !== 'client_secret_post')
    throw new UsageError('--auth-method must be client_secret_basic or client_secret_post');
  let auth;
  try {
    auth = attachPaymentAuth(axios.create({ baseURL }), undefined, {
      ...(flags['token-url'] ? { tokenUrl: flags['token-url'] as string } : {}),
      ...(flags.scope ? { scope: flags.scope as string } : {}),
      clientAuthMethod: method,
      tokenTimeoutMs: flags['timeout-ms'] as number,
      allowInsecureHttp: flags['allow-insecure-http'] === true,
    });
  } catch (error) {
    throw attachUsageError(error);
  }
  try {
    io.out(await auth.getAccessToken());
    return 0;
  } catch (error) {
    io.err(
      `payment-auth token: ${isPaymentAuthError(error) ? `${error.code}: ${error.message}` : (error as Error).message}`,
    );
    return 1;
  } finally {
    auth.detach();
  }
}
