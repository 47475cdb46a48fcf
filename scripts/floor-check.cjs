'use strict';
// The built package (dist/, `npm run build` first) end to end on whichever Node runs this file,
// against the loopback sandbox: the checks behind the Node floor in package.json's `engines`.
// Every entry through require() and import(), axios, axios-retry and p-memoize, a cold-start herd,
// a create call, a revoked token (401, renewal, replay), getAccessToken(), aborted requests,
// detach(), retries and the Redis store. No arguments; one line per check; exits 1 on any failure.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { installedNestRunsOn } = require('./nest-node.cjs');

const dist = (file) => join(__dirname, '..', 'dist', file);
const versionOf = (name) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
// The NestJS entry only where the installed NestJS runs (NestJS 12 needs Node 20.19; the matrix
// runs the entry on NestJS 11 and on Node 22 and 24).
const ENTRIES = ['index', 'testing/index', 'redis/index', 'nestjs/index', 'opentelemetry/index'].filter(
  (entry) => entry !== 'nestjs/index' || installedNestRunsOn(process.versions.node),
);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const started = Date.now();
let failed = 0;
let passed = 0;
let done = false;

const watchdog = setTimeout(() => {
  console.log(`FAIL the checks took over 20 s; active resources: ${process.getActiveResourcesInfo().join(', ')}`);
  process.exit(1);
}, 20_000);
watchdog.unref();
process.on('exit', (code) => {
  if (!done && code === 0) {
    console.log('FAIL the event loop emptied before the checks finished (a promise never settled)');
    process.exitCode = 1;
  }
});

async function check(name, fn) {
  try {
    const note = await fn();
    passed += 1;
    console.log(`ok   ${name}${note ? `: ${note}` : ''}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${describe(error)}`);
  }
}

/** An error on one line: its message, the error an assertion caught, and where it was thrown. */
function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.actual instanceof Error ? ` <- ${describe(error.actual)}` : '';
  const message = error.message.split('\n').filter(Boolean)[0];
  const frame = (error.stack || '').split('\n').find((line) => /^\s+at /.test(line));
  return `${error.name}: ${message}${frame ? ` (${frame.trim()})` : ''}${cause}`;
}

const ms = (since) => `${Math.round(performance.now() - since)} ms`;
const delay = (t) => new Promise((resolve) => setTimeout(resolve, t));
const api = (axios, sandbox) => axios.create({ baseURL: sandbox.url, timeout: 5000 });
const isCancel = (error) => error && (error.code === 'ERR_CANCELED' || error.name === 'CanceledError');

/** The part of ioredis the store calls, in memory: GET, SET [NX] PX, and the compare-and-delete script. */
function fakeRedis() {
  const data = new Map();
  const live = (key) => {
    const entry = data.get(key);
    if (entry && entry.expiresAt <= Date.now()) data.delete(key);
    return data.get(key);
  };
  return {
    data,
    status: 'ready',
    async call(command, ...args) {
      if (command === 'GET') return live(args[0])?.value ?? null;
      if (command === 'SET') {
        const [key, value, ...rest] = args;
        if (rest.includes('NX') && live(key)) return null;
        data.set(key, { value, expiresAt: Date.now() + Number(rest[rest.indexOf('PX') + 1]) });
        return 'OK';
      }
      if (command === 'EVAL') {
        const [, , key, owner] = args;
        if (live(key)?.value !== owner) return 0;
        data.delete(key);
        return 1;
      }
      throw new Error(`fake redis: ${command} not implemented`);
    },
  };
}

async function main() {
  console.log(`floor check on Node ${process.version}`);
  if (!existsSync(dist('index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const cjs = {};
  const esm = {};

  await check('require() of every entry (dist/*.js)', () => {
    for (const entry of ENTRIES) cjs[entry] = require(dist(`${entry}.js`));
    assert.equal(typeof cjs.index.attachPaymentAuth, 'function');
    assert.equal(typeof cjs['testing/index'].startPaymentSandbox, 'function');
    assert.equal(typeof cjs['redis/index'].RedisTokenStore, 'function');
    return ENTRIES.map((e) => `${e}: ${Object.keys(cjs[e]).length} exports`).join(', ');
  });

  await check('import() of every entry (dist/*.mjs), same exports as require()', async () => {
    for (const entry of ENTRIES) esm[entry] = await import(pathToFileURL(dist(`${entry}.mjs`)).href);
    for (const entry of ENTRIES)
      assert.deepEqual(
        Object.keys(esm[entry])
          .filter((k) => k !== 'default')
          .sort(),
        Object.keys(cjs[entry]).sort(),
        entry,
      );
  });

  await check('the payment-auth bin (dist/cli/index.js token --help)', () => {
    const run = spawnSync(process.execPath, [dist('cli/index.js'), 'token', '--help'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: payment-auth token/);
  });

  const axios = require('axios');
  const axiosEsm = (await import('axios')).default;
  await check('axios, axios-retry and p-memoize load and run', async () => {
    assert.equal(typeof axios.create, 'function');
    assert.equal(axiosEsm.VERSION, axios.VERSION);
    const retryCjs = require('axios-retry');
    const retryEsm = await import('axios-retry');
    assert.equal(typeof (retryCjs.default ?? retryCjs), 'function');
    assert.equal(typeof retryEsm.default, 'function');
    const pMemoize = (await import('p-memoize')).default;
    let calls = 0;
    const once = pMemoize(
      async () => {
        calls += 1;
        await delay(5);
        return calls;
      },
      { cache: false },
    );
    assert.deepEqual(await Promise.all([once(), once(), once()]), [1, 1, 1]);
    assert.equal(await once(), 2);
    return `axios ${axios.VERSION}, axios-retry ${versionOf('axios-retry')}, p-memoize ${versionOf('p-memoize')}`;
  });

  const { attachPaymentAuth, isPaymentAuthError } = cjs.index;
  const sandbox = await cjs['testing/index'].startPaymentSandbox({ host: '127.0.0.1' });
  try {
    const count = () => sandbox.counters();
    const since = (before) => {
      const now = count();
      return Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - before[k]]));
    };
    await check('sandbox listens on loopback', () => {
      assert.match(sandbox.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      return sandbox.url.replace(/:\d+$/, ':<port>');
    });

    const main = api(axios, sandbox);
    const auth = attachPaymentAuth(main, sandbox.credentials);

    await check('20 concurrent GET /api/v1/payments: one token call', async () => {
      const t = performance.now();
      const responses = await Promise.all(Array.from({ length: 20 }, () => main.get('/api/v1/payments')));
      assert.ok(responses.every((r) => r.status === 200));
      assert.deepEqual(count(), {
        tokenCalls: 1,
        refreshCalls: 0,
        apiCalls: 20,
        unauthorized: 0,
        paymentsCreated: 0,
        dpopNonceChallenges: 0,
      });
      return ms(t);
    });

    await check('POST /api/v1/payments { amount: 1000, currency: EUR }: 201 with an idempotency key', async () => {
      const before = count();
      const created = await main.post('/api/v1/payments', { amount: 1000, currency: 'EUR' });
      assert.equal(created.status, 201);
      assert.deepEqual(since(before), {
        tokenCalls: 0,
        refreshCalls: 0,
        apiCalls: 1,
        unauthorized: 0,
        paymentsCreated: 1,
        dpopNonceChallenges: 0,
      });
      const entry = sandbox.requests.at(-1);
      assert.equal(entry.method, 'POST');
      assert.match(String(entry.idempotencyKey), UUID_V4);
      return JSON.stringify(created.data).slice(0, 80);
    });

    await check('revoked access token: 401, one renewal, replay', async () => {
      sandbox.revokeAccessTokens();
      const before = count();
      const responses = await Promise.all([
        main.get('/api/v1/payments'),
        main.get('/api/v1/payments'),
        main.post('/api/v1/payments', { amount: 1000, currency: 'EUR' }),
      ]);
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200, 201],
      );
      const delta = since(before);
      assert.equal(delta.tokenCalls + delta.refreshCalls, 1, JSON.stringify(delta));
      assert.ok(delta.unauthorized >= 1 && delta.unauthorized <= 3, JSON.stringify(delta));
      assert.equal(delta.paymentsCreated, 1);
      return JSON.stringify(delta);
    });

    await check('getAccessToken(): cached, single flight after invalidate()', async () => {
      const before = count();
      const cached = await auth.getAccessToken();
      assert.equal(typeof cached, 'string');
      assert.ok(cached.length > 0);
      assert.equal(since(before).tokenCalls + since(before).refreshCalls, 0);
      auth.invalidate();
      const fresh = await Promise.all([auth.getAccessToken(), auth.getAccessToken(), auth.getAccessToken()]);
      assert.equal(new Set(fresh).size, 1);
      assert.notEqual(fresh[0], cached);
      const delta = since(before);
      assert.equal(delta.tokenCalls + delta.refreshCalls, 1, JSON.stringify(delta));
      assert.equal(auth.status().hasToken, true);
    });

    await check(
      'aborted requests reject with CanceledError (already aborted, waiting for a token, in flight)',
      async () => {
        // Already aborted: nothing is sent.
        const before = count();
        const abortedAlready = new AbortController();
        abortedAlready.abort();
        await assert.rejects(main.get('/api/v1/payments', { signal: abortedAlready.signal }), isCancel);
        assert.equal(since(before).apiCalls, 0);
        // Waiting for a slow token: the request gives up at once, the shared flight goes on.
        const slow = api(axios, sandbox);
        const slowAuth = attachPaymentAuth(slow, sandbox.credentials);
        sandbox.injectFault('token', { delayMs: 800 });
        let controller = new AbortController();
        let t = performance.now();
        const waiting = slow.get('/api/v1/payments', { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(waiting, isCancel);
        const waited = performance.now() - t;
        assert.ok(waited < 600, `took ${Math.round(waited)} ms`);
        assert.equal(typeof (await slowAuth.getAccessToken()), 'string');
        slowAuth.detach();
        // In flight on the API.
        sandbox.injectFault('api', { delayMs: 800 });
        controller = new AbortController();
        t = performance.now();
        const inFlight = main.get('/api/v1/payments', { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(inFlight, isCancel);
        assert.ok(performance.now() - t < 600);
        assert.equal((await main.get('/api/v1/payments')).status, 200);
        return `gave up on the token wait after ${Math.round(waited)} ms`;
      },
    );

    await check('retries (axios-retry): a 503 is retried', async () => {
      const retrying = api(axios, sandbox);
      const retryAuth = attachPaymentAuth(retrying, sandbox.credentials, {
        retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
      });
      await retryAuth.getAccessToken();
      sandbox.injectFault('api', { status: 503 }, 1);
      const before = count();
      assert.equal((await retrying.get('/api/v1/payments')).status, 200);
      assert.equal(since(before).apiCalls, 2);
      retryAuth.detach();
    });

    await check('wrong credentials: PaymentAuthError CREDENTIALS_REJECTED', async () => {
      const wrong = api(axios, sandbox);
      const wrongAuth = attachPaymentAuth(wrong, { clientId: 'nobody', clientSecret: 'wrong-secret' });
      await assert.rejects(
        wrong.get('/api/v1/payments'),
        (e) => isPaymentAuthError(e) && e.code === 'CREDENTIALS_REJECTED',
      );
      wrongAuth.detach();
    });

    await check('detach(): a pending token wait ends with DETACHED, requests go out without auth', async () => {
      const other = api(axios, sandbox);
      const otherAuth = attachPaymentAuth(other, sandbox.credentials);
      sandbox.injectFault('token', { delayMs: 800 });
      const t = performance.now();
      const pending = otherAuth.getAccessToken();
      setTimeout(() => otherAuth.detach(), 50);
      await assert.rejects(pending, (e) => isPaymentAuthError(e) && e.code === 'DETACHED');
      assert.ok(performance.now() - t < 600);
      auth.detach();
      auth.detach();
      const before = count();
      const response = await main.get('/api/v1/payments', { validateStatus: () => true });
      assert.equal(response.status, 401);
      assert.equal(sandbox.requests.at(-1).errorCode, 'NO_TOKEN');
      assert.deepEqual(since(before), {
        tokenCalls: 0,
        refreshCalls: 0,
        apiCalls: 1,
        unauthorized: 1,
        paymentsCreated: 0,
        dpopNonceChallenges: 0,
      });
    });

    await check('redis entry: RedisTokenStore shares one encrypted token between two attachments', async () => {
      const { RedisTokenStore } = cjs['redis/index'];
      assert.throws(() => new RedisTokenStore({}), TypeError);
      const redis = fakeRedis();
      const store = new RedisTokenStore({ client: redis, encryptionKey: randomBytes(32).toString('hex') });
      const [a, b] = [api(axios, sandbox), api(axios, sandbox)];
      const attachments = [
        attachPaymentAuth(a, sandbox.credentials, { store }),
        attachPaymentAuth(b, sandbox.credentials, { store }),
      ];
      const before = count();
      const responses = await Promise.all(
        [a, b].flatMap((instance) => Array.from({ length: 5 }, () => instance.get('/api/v1/payments'))),
      );
      assert.ok(responses.every((r) => r.status === 200));
      const delta = since(before);
      assert.equal(delta.tokenCalls + delta.refreshCalls, 1, JSON.stringify(delta));
      const token = await attachments[0].getAccessToken();
      assert.equal(await attachments[1].getAccessToken(), token);
      const stored = [...redis.data.values()].map((e) => e.value).join('\n');
      assert.ok(stored.length > 0 && !stored.includes(token), 'the stored token is encrypted');
      for (const attachment of attachments) attachment.detach();
      let ioredis = 'ioredis not installed';
      let Redis;
      try {
        Redis = require('ioredis');
      } catch {
        Redis = undefined;
      }
      if (Redis) {
        const client = new (Redis.default ?? Redis)({ lazyConnect: true, host: '127.0.0.1' });
        assert.ok(new RedisTokenStore({ client }));
        client.disconnect();
        ioredis = `ioredis ${versionOf('ioredis')} accepted`;
      }
      return ioredis;
    });

    await check('ESM build (imports p-memoize and axios-retry): herd, revoke, replay, create', async () => {
      const esmApi = api(axiosEsm, sandbox);
      const esmAuth = esm.index.attachPaymentAuth(esmApi, sandbox.credentials, {
        retry: { retries: 1, baseDelayMs: 10 },
      });
      const before = count();
      const herd = await Promise.all(Array.from({ length: 10 }, () => esmApi.get('/api/v1/payments')));
      assert.ok(herd.every((r) => r.status === 200));
      sandbox.revokeAccessTokens();
      assert.equal((await esmApi.post('/api/v1/payments', { amount: 1000, currency: 'EUR' })).status, 201);
      sandbox.injectFault('api', { status: 503 }, 1);
      assert.equal((await esmApi.get('/api/v1/payments')).status, 200);
      const delta = since(before);
      assert.equal(delta.tokenCalls + delta.refreshCalls, 2, JSON.stringify(delta));
      assert.equal(delta.unauthorized, 1);
      assert.equal(delta.paymentsCreated, 1);
      esmAuth.detach();
      return JSON.stringify(delta);
    });
  } finally {
    await sandbox.close();
  }
  done = true;
  console.log(`floor check on Node ${process.version}: ${passed} ok, ${failed} failed, ${Date.now() - started} ms`);
  if (failed > 0) process.exitCode = 1;
  // Nothing of the package or the sandbox may keep the process alive now.
  setTimeout(() => {
    console.log(
      `FAIL the process did not exit after the checks; active resources: ${process.getActiveResourcesInfo().join(', ')}`,
    );
    process.exit(1);
  }, 3000).unref();
}

main().catch((error) => {
  done = true;
  console.log(`FAIL ${describe(error)}`);
  process.exit(1);
});
