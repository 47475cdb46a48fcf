import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(__dirname, '..', '..', 'dist');

// Runs in a child process on the built package: nothing may keep the event loop alive. The largest
// lifetime and deadline the options take (ten years, the longest timer) must not overflow a timer.
const script = `
const axios = require('axios');
const { attachPaymentAuth } = require(${JSON.stringify(join(dist, 'index.js'))});
const { startPaymentSandbox } = require(${JSON.stringify(join(dist, 'testing', 'index.js'))});
process.on('warning', (w) => { console.error('WARNING ' + w.name); process.exitCode = 3; });
(async () => {
  const sandbox = await startPaymentSandbox({ accessTokenTtlS: 2 });
  const api = axios.create({ baseURL: sandbox.url, httpAgent: new (require('http').Agent)({ keepAlive: false }) });
  let refreshed;
  const renewal = new Promise((r) => (refreshed = r));
  attachPaymentAuth(api, sandbox.credentials, { maxTokenLifetimeMs: 315360000000, tokenTimeoutMs: 2 ** 31 - 1, onTokenRefreshed: () => refreshed() });
  await Promise.all([api.get('/api/v1/payments'), api.get('/api/v1/payments')]);
  await new Promise((r) => setTimeout(r, 1100)); // inside the refresh window: a background refresh runs
  await api.get('/api/v1/payments');
  await renewal; // revoked after it, not racing it (a token issued before a revocation is revoked too)
  sandbox.revokeAccessTokens();
  await api.get('/api/v1/payments');
  // A token for ten years, as long as maxTokenLifetimeMs lets it be: no timer may be set past the longest.
  sandbox.setLifetimes({ accessTokenTtlS: 315360000 });
  sandbox.revokeAccessTokens();
  await api.get('/api/v1/payments');
  await sandbox.close();
  console.log('done');
})();
`;

describe('a process that attached and made requests', () => {
  it('exits on its own, with no timer warnings, without detach()', () => {
    expect(existsSync(join(dist, 'index.js'))).toBe(true); // `npm test` builds first
    const started = Date.now();
    const child = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 15_000,
      cwd: join(__dirname, '..', '..'),
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('done');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

// A NestJS application context with the built module: app.close() must leave nothing running.
const nestScript = `
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { HttpService } = require('@nestjs/axios');
const { PaymentAuthModule } = require(${JSON.stringify(join(dist, 'nestjs', 'index.js'))});
const { startPaymentSandbox } = require(${JSON.stringify(join(dist, 'testing', 'index.js'))});
(async () => {
  const sandbox = await startPaymentSandbox();
  class Root {}
  Module({ imports: [PaymentAuthModule.register({ baseURL: sandbox.url, credentials: sandbox.credentials })] })(Root);
  const app = await NestFactory.createApplicationContext(Root, { logger: false });
  const http = app.get(HttpService);
  await Promise.all([http.axiosRef.get('/api/v1/payments'), http.axiosRef.get('/api/v1/payments')]);
  await app.close();
  await sandbox.close();
  console.log('closed');
})();
`;

describe('a NestJS application that used the module', () => {
  it('exits on its own after app.close()', () => {
    expect(existsSync(join(dist, 'nestjs', 'index.js'))).toBe(true);
    const child = spawnSync(process.execPath, ['-e', nestScript], {
      encoding: 'utf8',
      timeout: 15_000,
      cwd: join(__dirname, '..', '..'),
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('closed');
    expect(child.status).toBe(0);
  });
});
