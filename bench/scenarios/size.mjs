// 6. Size: minified + gzipped bundles of each implementation's entry, dependencies (axios,
// axios-retry, p-memoize, and jose, which only private_key_jwt and DPoP load) left out, built with the same
// esbuild settings; jose's own share on a row of its own.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));

async function gzipped(contents, resolveDir, external = ['axios', 'axios-retry', 'p-memoize', 'jose']) {
  const result = await build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
    external,
  });
  const code = result.outputFiles[0].contents;
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

export async function size({ log = () => undefined } = {}) {
  const entries = [
    [
      'ours (attachPaymentAuth only)',
      `export { attachPaymentAuth } from ${JSON.stringify(join(root, 'dist', 'index.mjs'))};`,
    ],
    ['ours (whole core entry)', `export * from ${JSON.stringify(join(root, 'dist', 'index.mjs'))};`],
    [
      'axios-auth-refresh',
      `export { default } from ${JSON.stringify(require.resolve('axios-auth-refresh').replace(/index\.cjs\.js$/, 'index.esm.js'))};`,
    ],
    [
      '@badgateway/oauth2-client (OAuth2Fetch + client)',
      `export { OAuth2Fetch, OAuth2Client } from '@badgateway/oauth2-client';`,
    ],
    [
      'jose, loaded only by private_key_jwt and DPoP (what they use of it)',
      `export { SignJWT, importJWK, importPKCS8, exportJWK, generateKeyPair, calculateJwkThumbprint, base64url } from 'jose';`,
      [],
    ],
    [
      'gist interceptor',
      `export { attachGist } from ${JSON.stringify(join(import.meta.dirname, '..', 'gist-interceptor.mjs'))};`,
    ],
  ];
  const rows = [];
  for (const [name, contents, external] of entries) {
    const measured = await gzipped(contents, root, external);
    rows.push({ name, ...measured });
    log(`size ${name}: ${(measured.gzipBytes / 1024).toFixed(1)} kB min+gzip`);
  }
  return { rows };
}
