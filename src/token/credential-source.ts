import { basicAuthorization } from './client-auth';
import { isAssertionAlgorithm } from './client-assertion';
import {
  CREDENTIAL_ENV,
  type ClientAssertionCredentials,
  type Credentials,
  type CredentialsInput,
  type PrivateKeyInput,
  type PrivateKeyJwtCredentials,
} from './credentials';
import type { ClientAuthMethod } from '../options/options';
import { base64Utf8, toBase64url } from '../util/encoding';
import { hasControlCharacter, isOptionsObject, ownOptions, toStringTag } from '../util/objects';
import { builtinModule } from '../util/runtime';
import { keyObjectProblem, type NodeKeyObject } from './key-object';
import { providerFailedError, unusableCredentialsError } from './errors';

/** A validated source of credentials. */
export interface CredentialSource {
  /** The current credentials; rejects with `CREDENTIALS_MISSING` when a provider fails. */
  get(): Promise<Credentials>;
  /** Whether {@link get} may return new credentials over time (a provider function). */
  readonly dynamic: boolean;
  /**
   * The secrets seen so far, so text from outside can be cleaned of them: each client secret and
   * the base64 of each `id:secret` pair as a Basic header carries it (form-encoded, and raw); of a
   * private key, its PEM text and body and the private members of its JWK form.
   */
  knownSecrets(): readonly string[];
}

/** The private members of a JWK (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** Node's crypto (Bun's, Deno's), to find every text form of a key: PEM from a JWK and back. */
const nodeCrypto = () => builtinModule<{ createPrivateKey(key: unknown): NodeKeyObject }>('node:crypto');

function addPemSecrets(secrets: Set<string>, pem: string): void {
  secrets.add(pem.trim());
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  if (body) secrets.add(body);
  for (const line of pem.split(/\r?\n/))
    if (line.trim().length >= 16 && !line.includes('-----')) secrets.add(line.trim());
}

function addJwkSecrets(secrets: Set<string>, jwk: Record<string, unknown>): void {
  for (const member of PRIVATE_JWK_MEMBERS) if (typeof jwk[member] === 'string') secrets.add(jwk[member]);
}

/**
 * The PKCS#8 PEM and the JWK of a Node KeyObject, when it can give them: the JWK only of a key
 * whose JWK export cannot abort the process ({@link keyObjectProblem}).
 */
function addKeyObjectSecrets(secrets: Set<string>, key: NodeKeyObject): void {
  if (key.type !== 'private') return;
  try {
    addPemSecrets(secrets, key.export({ format: 'pem', type: 'pkcs8' }) as string);
  } catch {
    // Not exportable: nothing of it can reach text.
  }
  if (keyObjectProblem(key)) return;
  try {
    addJwkSecrets(secrets, key.export({ format: 'jwk' }) as Record<string, unknown>);
  } catch {
    // No such form (an RSA-PSS key has no JWK on older Node): nothing of it can reach text.
  }
}

/**
 * Every text form of a private key: as given (PEM text, its body and lines; JWK private members),
 * and where the runtime's crypto can read it, the other form too (a server never sees the key, but
 * nothing of it in any form may reach an error or a log line).
 */
function addKeySecrets(secrets: Set<string>, key: unknown): void {
  const crypto = nodeCrypto();
  const tag = toStringTag(key);
  if (typeof key === 'string') addPemSecrets(secrets, key);
  else if (tag === 'KeyObject') return addKeyObjectSecrets(secrets, key as NodeKeyObject);
  else if (typeof key === 'object' && key !== null) addJwkSecrets(secrets, key as Record<string, unknown>);
  const isJwk = typeof key === 'object' && key !== null && typeof (key as { d?: unknown }).d === 'string';
  if (!crypto || (typeof key !== 'string' && !isJwk)) return;
  try {
    addKeyObjectSecrets(secrets, crypto.createPrivateKey(typeof key === 'string' ? key : { key, format: 'jwk' }));
  } catch {
    // Not a key the runtime reads: what was given is all there is.
  }
}

/** Every form of a private key's material that text could quote (PEM, its body and lines, JWK members). */
export function keySecrets(key: unknown): string[] {
  const secrets = new Set<string>();
  addKeySecrets(secrets, key);
  return [...secrets];
}

function addSecrets(secrets: Set<string>, credentials: Credentials): void {
  if ('clientSecret' in credentials) {
    secrets.add(credentials.clientSecret);
    for (const pair of [
      basicAuthorization(credentials).slice('Basic '.length),
      base64Utf8(`${credentials.clientId}:${credentials.clientSecret}`),
    ]) {
      secrets.add(pair);
      secrets.add(toBase64url(pair));
    }
  }
  if ('privateKey' in credentials) addKeySecrets(secrets, credentials.privateKey);
}

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.trim() === '') return `${field} is empty`;
  if (hasControlCharacter(value)) return `${field} holds a control character (a line end read from a file?)`;
  // A text cut inside an emoji has no UTF-8 form: it could be neither encoded nor sent.
  if (LONE_SURROGATE.test(value)) return `${field} holds a lone surrogate (not well-formed UTF-16: a text cut in two?)`;
  return undefined;
}

const SECRET_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** What the credentials of `method` must hold, for messages. */
function expected(method: ClientAuthMethod): string {
  if (method === 'private_key_jwt') return '{ clientId, privateKey } or { clientId, clientAssertion }';
  if (SECRET_METHODS.includes(method)) return '{ clientId, clientSecret }';
  return '{ clientId } (the certificate authenticates)';
}

/** What is wrong with `value` as credentials of `method`, or undefined. Never quotes a value. */
function problemOf(value: unknown, method: ClientAuthMethod): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `credentials must be an object ${expected(method)}, got ${value === null ? 'null' : typeof value}`;
  const fields = value as Record<string, unknown>;
  const idProblem = textProblem(fields.clientId, 'clientId');
  if (idProblem) return idProblem;
  const has = (key: string): boolean => fields[key] !== undefined;
  const stray = (keys: string[]): string | undefined => {
    const found = keys.filter(has);
    return found.length
      ? `credentials for ${method} hold ${found.join(' and ')}, which ${method} never sends: remove ${found.length > 1 ? 'them' : 'it'}, or set clientAuthMethod to the method ${found.length > 1 ? 'they are' : 'it is'} for`
      : undefined;
  };
  const keyFields = ['privateKey', 'clientAssertion', 'keyId', 'algorithm'];
  if (SECRET_METHODS.includes(method)) {
    const secretProblem = textProblem(fields.clientSecret, 'clientSecret');
    // A provider's privateKey with the default method: the method is chosen at attach, not per call.
    if (secretProblem && (has('privateKey') || has('clientAssertion')))
      return `credentials hold ${has('privateKey') ? 'privateKey' : 'clientAssertion'} but clientAuthMethod is ${method}: set clientAuthMethod: 'private_key_jwt' (with a credentials provider it cannot be told from the credentials at attach)`;
    return secretProblem ?? stray(keyFields);
  }
  if (method !== 'private_key_jwt') return stray(['clientSecret', ...keyFields]);
  const strayProblem = stray(has('clientAssertion') ? ['clientSecret', 'keyId', 'algorithm'] : ['clientSecret']);
  if (strayProblem) return strayProblem;
  if (has('privateKey') === has('clientAssertion'))
    return 'private_key_jwt credentials need exactly one of privateKey and clientAssertion';
  if (has('clientAssertion'))
    return typeof fields.clientAssertion === 'function' ? undefined : 'clientAssertion must be a function';
  const key = fields.privateKey;
  if (typeof key === 'string') {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) return 'privateKey is a string but not a PEM private key';
  } else if (typeof key !== 'object' || key === null) {
    return `privateKey must be a private JWK, a PEM string, a KeyObject or a CryptoKey, got ${key === null ? 'null' : typeof key}`;
  }
  if (has('keyId')) {
    const keyIdProblem = textProblem(fields.keyId, 'keyId');
    if (keyIdProblem) return keyIdProblem;
  }
  if (has('algorithm') && !isAssertionAlgorithm(fields.algorithm))
    return 'algorithm must be one of RS256, PS256, ES256, ES384, ES512, EdDSA, Ed25519';
  return undefined;
}

/**
 * A private key as it is kept: a JWK copied once (its own fields, on an object without a
 * prototype), so a getter in it runs here, where its failure is reported as such, and never again
 * when the key is read or signed with; a PEM string, a `KeyObject` or a `CryptoKey` as it is.
 */
function keyOf(key: unknown): PrivateKeyInput {
  if (typeof key !== 'object' || key === null) return key as string;
  const tag = toStringTag(key);
  return tag === 'KeyObject' || tag === 'CryptoKey' ? key : ownOptions(key);
}

/** The credentials of `method` taken from a validated object (only the fields the method uses). */
function pick(value: Record<string, unknown>, method: ClientAuthMethod): Credentials {
  const clientId = value.clientId as string;
  if (SECRET_METHODS.includes(method)) return { clientId, clientSecret: value.clientSecret as string };
  if (method !== 'private_key_jwt') return { clientId };
  if (value.clientAssertion !== undefined)
    return { clientId, clientAssertion: value.clientAssertion as ClientAssertionCredentials['clientAssertion'] };
  const picked: PrivateKeyJwtCredentials = { clientId, privateKey: keyOf(value.privateKey) };
  if (value.keyId !== undefined) picked.keyId = value.keyId as string;
  if (value.algorithm !== undefined) picked.algorithm = value.algorithm as PrivateKeyJwtCredentials['algorithm'];
  return picked;
}

/**
 * The own fields of credentials, each read once: what is checked is what is sent, and a field
 * inherited from a polluted `Object.prototype` is never read.
 */
function fieldsOf(value: unknown): unknown {
  return isOptionsObject(value) ? ownOptions(value) : value;
}

/** The client authentication method static credentials call for, when none is set. */
export function inferClientAuthMethod(input: unknown): ClientAuthMethod | undefined {
  if (!isOptionsObject(input)) return undefined;
  const fields = input;
  if (!Object.hasOwn(fields, 'privateKey') && !Object.hasOwn(fields, 'clientAssertion')) return undefined;
  return fields.privateKey !== undefined || fields.clientAssertion !== undefined ? 'private_key_jwt' : undefined;
}

function fromEnvironment(env: Record<string, string | undefined> | undefined, method: ClientAuthMethod): Credentials {
  if (method === 'private_key_jwt')
    throw new TypeError(
      'attachPaymentAuth: private_key_jwt needs credentials { clientId, privateKey } or { clientId, clientAssertion }; the environment holds no key',
    );
  const clientId = env?.[CREDENTIAL_ENV.clientId];
  const clientSecret = env?.[CREDENTIAL_ENV.clientSecret];
  const secretNeeded = SECRET_METHODS.includes(method);
  const missing = [
    !clientId?.trim() && CREDENTIAL_ENV.clientId,
    secretNeeded && !clientSecret?.trim() && CREDENTIAL_ENV.clientSecret,
  ]
    .filter(Boolean)
    .join(' and ');
  if (missing)
    throw new TypeError(`attachPaymentAuth: no credentials given and ${missing} not set (or blank) in the environment`);
  return secretNeeded ? { clientId: clientId!, clientSecret: clientSecret! } : { clientId: clientId! };
}

/**
 * Reads the caller's credentials (their fields, their key's): a getter or proxy that throws becomes
 * a TypeError. Its own text is not kept: it may quote the secret it was reading.
 */
function readable<T>(read: () => T): T {
  try {
    return read();
  } catch {
    throw new TypeError('attachPaymentAuth: the credentials could not be read: reading one of their fields threw');
  }
}

/**
 * Validates the credentials input at attach time, for the client authentication `method`.
 * Mistakes throw a `TypeError` naming the field (never its value).
 */
export function createCredentialSource(
  input: CredentialsInput | undefined,
  env: Record<string, string | undefined> | undefined,
  method: ClientAuthMethod = 'client_secret_basic',
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
          // A field whose getter throws (a vault read) fails like the provider itself.
          value = fieldsOf(await provider());
        } catch (cause) {
          throw providerFailedError(cause);
        }
        const error = problemOf(value, method);
        if (error)
          throw unusableCredentialsError(
            error,
            error.startsWith('credentials hold ')
              ? `return only what ${method} sends, or name the method the credentials are for in the options`
              : `return ${expected(method)} with non-empty strings`,
          );
        try {
          // The key's own fields are read here: a getter or proxy in it fails like the provider.
          const credentials = pick(value as Record<string, unknown>, method);
          addSecrets(secrets, credentials);
          return credentials;
        } catch (cause) {
          throw providerFailedError(cause);
        }
      },
    };
  }

  let fixed: Credentials;
  if (input === undefined || input === null) {
    fixed = fromEnvironment(env, method);
  } else {
    const fields = readable(() => fieldsOf(input));
    const error = problemOf(fields, method);
    if (error) throw new TypeError(`attachPaymentAuth: ${error}`);
    fixed = readable(() => pick(fields as Record<string, unknown>, method));
  }
  readable(() => addSecrets(secrets, fixed));
  const frozen = Object.freeze({ ...fixed });
  return { dynamic: false, knownSecrets: () => [...secrets], get: async () => frozen };
}
