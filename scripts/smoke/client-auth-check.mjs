// private_key_jwt and mutual TLS through the packed package, against its sandbox. Given the package's
// exports by the entry script (client-auth.mjs imports them, client-auth.cjs requires them), so each
// module format is checked with the same steps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN=client-1), made with openssl. */
function certificates() {
  const dir = mkdtempSync(join(tmpdir(), 'smoke-certs-'));
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (name) => readFileSync(join(dir, name), 'utf8');
  try {
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\n');
    for (const name of ['ca', 'server', 'client'])
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=smoke-ca', '-days', '2', '-out', 'ca.crt');
    for (const [name, subject, ext] of [
      ['server', '/CN=127.0.0.1', ['-extfile', 'server.ext']],
      ['client', '/CN=client-1', []],
    ]) {
      openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        '0x1234' + name.length,
        '-days',
        '2',
        '-out',
        `${name}.crt`,
        ...ext,
      );
    }
    return Object.fromEntries(
      ['ca', 'server', 'client'].map((n) => [n, { cert: read(`${n}.crt`), key: read(`${n}.key`) }]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkClientAuth({ attachPaymentAuth, isPaymentAuthError, startPaymentSandbox }, label) {
  // private_key_jwt: an EC key as PEM (PKCS#8) and as a private JWK.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }] };
  let sandbox = await startPaymentSandbox({
    clientAuth: 'private_key_jwt',
    credentials: { clientId: 'jwt-client', jwks },
  });
  try {
    for (const key of [privateKey.export({ format: 'pem', type: 'pkcs8' }), privateKey.export({ format: 'jwk' })]) {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      const auth = attachPaymentAuth(
        api,
        { clientId: 'jwt-client', privateKey: key, keyId: 'k1' },
        { issuer: sandbox.issuer },
      );
      assert.equal((await api.post('/payments', { amount: 1 })).status, 201);
      auth.detach();
    }
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const wrong = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(wrong, { clientId: 'jwt-client', privateKey: other });
    await assert.rejects(wrong.get('/payments'), (e) => isPaymentAuthError(e) && e.code === 'CREDENTIALS_REJECTED');
    auth.detach();
    assert.equal(new Set(sandbox.assertions().map((a) => a.claims.jti)).size, 2);
  } finally {
    await sandbox.close();
  }

  // Mutual TLS: the certificate on the instance's agent (every Node), and through the tls option
  // where the runtime has process.getBuiltinModule (Node 20.16 on).
  const certs = certificates();
  sandbox = await startPaymentSandbox({
    clientAuth: 'tls_client_auth',
    tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert },
    credentials: { clientId: 'client-1', tlsClientAuthSubjectDn: 'CN=client-1' },
  });
  try {
    const viaAgent = axios.create({
      baseURL: `${sandbox.url}/api/v1`,
      httpsAgent: new Agent({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key }),
    });
    const first = attachPaymentAuth(viaAgent, { clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth' });
    assert.equal((await viaAgent.get('/payments')).status, 200);
    first.detach();
    if (typeof process.getBuiltinModule === 'function') {
      const viaOption = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      const second = attachPaymentAuth(
        viaOption,
        { clientId: 'client-1' },
        { clientAuthMethod: 'tls_client_auth', tls: { ca: certs.ca.cert, ...certs.client } },
      );
      assert.equal((await viaOption.get('/payments')).status, 200);
      second.detach();
    }
  } finally {
    await sandbox.close();
  }
  console.log(`client auth ${label} ${process.version}: ok`);
}
