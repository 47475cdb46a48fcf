import axios from 'axios';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { attachPaymentAuth, isPaymentAuthError, type ClientAuthMethod, type Credentials } from '../index';
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
      description:
        'client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth or self_signed_tls_client_auth; default from the other flags (client_secret_basic without them)',
    },
    'private-key': {
      type: 'string',
      description:
        'private_key_jwt: file with the private key (PEM, or a private JWK as JSON); the client id from PAYMENT_CLIENT_ID',
    },
    'key-id': { type: 'string', description: 'private_key_jwt: the kid of the key, as the server has it' },
    issuer: {
      type: 'string',
      description: "private_key_jwt: the server's issuer identifier, the assertions' audience",
    },
    cert: { type: 'string', description: 'mutual TLS: file with the client certificate (PEM); needs --key' },
    key: {
      type: 'string',
      description:
        "mutual TLS: file with the certificate's private key (PEM); its passphrase, if any, from PAYMENT_TLS_KEY_PASSPHRASE",
    },
    ca: { type: 'string', description: "file with CA certificates to trust for the server's certificate (PEM)" },
    'timeout-ms': {
      type: 'string',
      description: 'deadline of the token request',
      integer: { min: 1, max: 600_000 },
      default: '10000',
    },
    'allow-insecure-http': ALLOW_INSECURE_HTTP,
  },
};

const METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

/** A private JWK read from a file; the parse error is not quoted (it may show part of the key). */
function parseJwk(text: string): object {
  try {
    return JSON.parse(text) as object;
  } catch {
    throw new UsageError('--private-key: the file starts like JSON but is not valid JSON (a private JWK)');
  }
}

/** `payment-auth token`: the token on stdout, a clear message and exit 1 on failure. */
export async function tokenCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseFlags(tokenSpec, argv);
  if (flags.help) {
    io.out(usage(tokenSpec));
    return 0;
  }
  const baseURL = (flags['base-url'] as string | undefined) ?? io.env.PAYMENT_API_URL;
  if (!baseURL) throw new UsageError('--base-url is required (or set PAYMENT_API_URL)');
  const file = (flag: string): string | undefined => {
    const path = flags[flag] as string | undefined;
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const privateKey = file('private-key');
  const [cert, key, ca] = [file('cert'), file('key'), file('ca')];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const method = (flags['auth-method'] ??
    (privateKey !== undefined
      ? 'private_key_jwt'
      : cert !== undefined
        ? 'tls_client_auth'
        : 'client_secret_basic')) as ClientAuthMethod;
  if (!METHODS.includes(method)) throw new UsageError(`--auth-method must be one of ${METHODS.join(', ')}`);
  // Flags of one method are refused with another: the command never sends what it was not asked to.
  const jwtFlags = (['private-key', 'key-id', 'issuer'] as const).filter((f) => flags[f] !== undefined);
  if (method !== 'private_key_jwt' && jwtFlags.length)
    throw new UsageError(
      `--${jwtFlags.join(', --')} ${jwtFlags.length > 1 ? 'are' : 'is'} for private_key_jwt, not ${method}`,
    );
  let credentials: Credentials | undefined;
  if (method === 'private_key_jwt') {
    if (privateKey === undefined) throw new UsageError('private_key_jwt needs --private-key FILE');
    if (!io.env.PAYMENT_CLIENT_ID?.trim()) throw new UsageError('PAYMENT_CLIENT_ID is not set');
    credentials = {
      clientId: io.env.PAYMENT_CLIENT_ID,
      privateKey: privateKey.trimStart().startsWith('{') ? parseJwk(privateKey) : privateKey,
      ...(flags['key-id'] !== undefined ? { keyId: flags['key-id'] as string } : {}),
    };
  }
  let auth;
  try {
    // A CA without a client certificate: trusted for the server's certificate all the same.
    const api = axios.create({
      baseURL,
      ...(ca !== undefined && cert === undefined ? { httpsAgent: new Agent({ ca, keepAlive: false }) } : {}),
    });
    auth = attachPaymentAuth(api, credentials, {
      ...(flags['token-url'] ? { tokenUrl: flags['token-url'] as string } : {}),
      ...(flags.scope ? { scope: flags.scope as string } : {}),
      ...(flags.issuer !== undefined ? { issuer: flags.issuer as string } : {}),
      ...(cert !== undefined && key !== undefined
        ? {
            tls: {
              cert,
              key,
              ...(ca ? { ca } : {}),
              // From the environment, never a flag: a flag would show in the process list.
              ...(io.env.PAYMENT_TLS_KEY_PASSPHRASE ? { passphrase: io.env.PAYMENT_TLS_KEY_PASSPHRASE } : {}),
            },
          }
        : {}),
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
