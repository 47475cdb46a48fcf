// private_key_jwt and mutual TLS through the packed package, against its sandbox. Given the package's
// exports by the entry script (client-auth.mjs imports them, client-auth.cjs requires them), so each
// module format is checked with the same steps.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
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

/**
 * oidc-provider (an OpenID-certified server) in a child process, with the repository's server script
 * (OIDC_PROVIDER_SERVER) on the repository's Node (OIDC_NODE): its JSON line says where it listens.
 */
async function startOidcProvider(config) {
  const child = spawn(
    process.env.OIDC_NODE ?? process.execPath,
    [process.env.OIDC_PROVIDER_SERVER, JSON.stringify(config)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ready = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.slice(0, stdout.indexOf('\n'))));
    });
    child.on('exit', (code) => reject(new Error(`oidc-provider exited with ${code}: ${stderr}`)));
  });
  return { ...ready, close: () => child.kill() };
}

/** A token from oidc-provider with each method, through the packed package. */
async function checkAgainstOidcProvider({ attachPaymentAuth }, certs) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const grant = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  const provider = await startOidcProvider({
    clients: [
      {
        ...grant,
        client_id: 'jwt-client',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }] },
      },
      {
        ...grant,
        client_id: 'client-1',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=client-1',
        tls_client_certificate_bound_access_tokens: true,
      },
    ],
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
  });
  try {
    const options = { tokenUrl: provider.tokenUrl, refreshUrl: false, issuer: provider.issuer };
    const jwt = axios.create({ baseURL: 'https://127.0.0.1:1', httpsAgent: new Agent({ ca: certs.ca.cert }) });
    const a = attachPaymentAuth(jwt, { clientId: 'jwt-client', privateKey, keyId: 'k1' }, options);
    assert.match(await a.getAccessToken(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    a.detach();
    const tls = axios.create({
      baseURL: 'https://127.0.0.1:1',
      httpsAgent: new Agent({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key }),
    });
    const b = attachPaymentAuth(
      tls,
      { clientId: 'client-1' },
      { ...options, issuer: undefined, clientAuthMethod: 'tls_client_auth' },
    );
    const token = await b.getAccessToken();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.ok(claims.cnf?.['x5t#S256'], 'a certificate-bound token');
    b.detach();
  } finally {
    provider.close();
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
    if (process.env.OIDC_PROVIDER_SERVER) await checkAgainstOidcProvider({ attachPaymentAuth }, certs);
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
  const against = process.env.OIDC_PROVIDER_SERVER ? 'the sandbox and oidc-provider' : 'the sandbox';
  console.log(`client auth ${label} ${process.version}: ok against ${against}`);
}
