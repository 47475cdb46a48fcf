import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** A certificate and its private key, PEM. */
export interface CertAndKey {
  cert: string;
  key: string;
}

/** Test PKI for mutual TLS against the sandbox. */
export interface TestCerts {
  /** The CA that signs the server and client certificates (`tls.clientCa`, and the client's `ca`). */
  ca: CertAndKey;
  /** The sandbox's certificate: CN=127.0.0.1, subjectAltName IP:127.0.0.1, signed by {@link ca}. */
  server: CertAndKey;
  /** A client certificate with subject CN=client-1, signed by {@link ca}. */
  client: CertAndKey;
  /** Another client certificate from {@link ca}, subject CN=client-2. */
  otherClient: CertAndKey;
  /** CN=client-1 again, but from a CA the sandbox does not trust. */
  untrustedClient: CertAndKey;
  /** A self-signed client certificate (CN=client-self-signed). */
  selfSigned: CertAndKey;
  /** Another self-signed client certificate, with the same subject as {@link selfSigned}. */
  otherSelfSigned: CertAndKey;
}

const EXTENSIONS = {
  ca: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign'],
  server: [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = IP:127.0.0.1',
  ],
  client: [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
  ],
};

/** One config for every call (not the system's openssl.cnf): the request defaults and the extension sections. */
const CONFIG = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  '[dn]',
  'CN = unused',
  ...Object.entries(EXTENSIONS).flatMap(([name, lines]) => [`[${name}]`, 'subjectKeyIdentifier = hash', ...lines]),
  '',
].join('\n');

let cached: TestCerts | undefined;

/**
 * Generates the test PKI with `openssl` in a temporary folder (removed at once; nothing is written
 * into the repository): P-256 keys, certificates valid for two days. Once per process (per test
 * file under jest).
 */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'payment-sandbox-certs-'));
  try {
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    writeFileSync(join(dir, 'openssl.cnf'), CONFIG);
    const read = (name: string): CertAndKey => ({
      cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
      key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    });
    const newKey = (name: string): void =>
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    const serial = (): string => `0x${randomBytes(8).toString('hex')}`;
    const selfSign = (name: string, subject: string, ext: keyof typeof EXTENSIONS): CertAndKey => {
      newKey(name);
      openssl(
        'req',
        ...['-new', '-x509', '-config', 'openssl.cnf', '-key', `${name}.key`, '-subj', subject, '-days', '2'],
        ...['-set_serial', serial(), '-extensions', ext, '-out', `${name}.crt`],
      );
      return read(name);
    };
    const issue = (name: string, subject: string, ext: keyof typeof EXTENSIONS, ca: string): CertAndKey => {
      newKey(name);
      openssl('req', '-new', '-config', 'openssl.cnf', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
      openssl(
        'x509',
        ...['-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', serial()],
        ...['-days', '2', '-extfile', 'openssl.cnf', '-extensions', ext, '-out', `${name}.crt`],
      );
      return read(name);
    };
    cached = {
      ca: selfSign('ca', '/CN=Payment Sandbox Test CA', 'ca'),
      server: issue('server', '/CN=127.0.0.1', 'server', 'ca'),
      client: issue('client', '/CN=client-1', 'client', 'ca'),
      otherClient: issue('other-client', '/CN=client-2', 'client', 'ca'),
      untrustedClient:
        (selfSign('rogue-ca', '/CN=Rogue CA', 'ca'), issue('untrusted', '/CN=client-1', 'client', 'rogue-ca')),
      selfSigned: selfSign('self-signed', '/CN=client-self-signed', 'client'),
      otherSelfSigned: selfSign('other-self-signed', '/CN=client-self-signed', 'client'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Algorithms {@link testKeyPair} makes keys for. */
export type TestKeyAlg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** A signing key pair for `private_key_jwt` tests. */
export interface TestKeyPair {
  alg: TestKeyAlg;
  kid: string;
  /** For jose's `SignJWT#sign`. */
  privateKey: CryptoKey;
  privateJwk: JWK;
  /** With `kid`, `alg` and `use: 'sig'`: what the sandbox's client `jwks` holds. */
  publicJwk: JWK;
  /** PKCS#8 PEM of the private key. */
  privatePem: string;
}

/** Generates an extractable key pair with jose (P-384 for ES384, P-521 for ES512, Ed25519 for `EdDSA`). */
export async function testKeyPair(
  alg: TestKeyAlg,
  kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`,
): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { alg, kid, privateKey, privateJwk, publicJwk, privatePem: await exportPKCS8(privateKey) };
}
