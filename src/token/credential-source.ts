import { basicAuthorization } from './client-auth';
import { CREDENTIAL_ENV, type Credentials, type CredentialsInput } from './credentials';
import { base64Utf8, toBase64url } from '../util/encoding';
import { hasControlCharacter } from '../util/objects';
import { providerFailedError, unusableCredentialsError } from './errors';

/** A validated source of credentials. */
export interface CredentialSource {
  /** The current credentials; rejects with `CREDENTIALS_MISSING` when a provider fails. */
  get(): Promise<Credentials>;
  /** Whether {@link get} may return new credentials over time (a provider function). */
  readonly dynamic: boolean;
  /**
   * The secrets seen so far, so text from outside can be cleaned of them: each client secret, and
   * the base64 of each `id:secret` pair as a Basic header carries it (form-encoded, and raw).
   */
  knownSecrets(): readonly string[];
}

function addSecrets(secrets: Set<string>, credentials: Credentials): void {
  secrets.add(credentials.clientSecret);
  for (const pair of [
    basicAuthorization(credentials).slice('Basic '.length),
    base64Utf8(`${credentials.clientId}:${credentials.clientSecret}`),
  ]) {
    secrets.add(pair);
    secrets.add(toBase64url(pair));
  }
}

function problem(value: unknown, field: keyof Credentials): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.trim() === '') return `${field} is empty`;
  if (hasControlCharacter(value)) return `${field} holds a control character (a line end read from a file?)`;
  return undefined;
}

function validate(value: unknown): { credentials?: Credentials; error?: string } {
  if (typeof value !== 'object' || value === null)
    return {
      error: `credentials must be an object with clientId and clientSecret, got ${value === null ? 'null' : typeof value}`,
    };
  const { clientId, clientSecret } = value as Record<string, unknown>;
  const error = problem(clientId, 'clientId') ?? problem(clientSecret, 'clientSecret');
  if (error) return { error };
  return { credentials: { clientId: clientId as string, clientSecret: clientSecret as string } };
}

/**
 * Validates the credentials input at attach time. Mistakes throw a `TypeError` naming the field
 * (never its value).
 */
export function createCredentialSource(
  input: CredentialsInput | undefined,
  env: Record<string, string | undefined> | undefined,
): CredentialSource {
  const secrets = new Set<string>();
  if (typeof input === 'function') {
    const provider = input;
    return {
      dynamic: true,
      knownSecrets: () => [...secrets],
      async get() {
        let value: unknown;
        try {
          value = await provider();
        } catch (cause) {
          throw providerFailedError(cause);
        }
        const { credentials, error } = validate(value);
        if (!credentials) {
          throw unusableCredentialsError(error!);
        }
        addSecrets(secrets, credentials);
        return credentials;
      },
    };
  }

  let fixed: Credentials;
  if (input === undefined || input === null) {
    const clientId = env?.[CREDENTIAL_ENV.clientId];
    const clientSecret = env?.[CREDENTIAL_ENV.clientSecret];
    if (!clientId?.trim() || !clientSecret?.trim()) {
      const missing = [
        !clientId?.trim() && CREDENTIAL_ENV.clientId,
        !clientSecret?.trim() && CREDENTIAL_ENV.clientSecret,
      ]
        .filter(Boolean)
        .join(' and ');
      throw new TypeError(
        `attachPaymentAuth: no credentials given and ${missing} not set (or blank) in the environment`,
      );
    }
    fixed = { clientId, clientSecret };
  } else {
    const { credentials, error } = validate(input);
    if (!credentials) throw new TypeError(`attachPaymentAuth: ${error}`);
    fixed = credentials;
  }
  addSecrets(secrets, fixed);
  const frozen = Object.freeze({ ...fixed });
  return { dynamic: false, knownSecrets: () => [...secrets], get: async () => frozen };
}
