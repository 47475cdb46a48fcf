// The end-to-end checks that every runtime runs against the packed package. Runtime-neutral: only
// fetch, AbortController, timers and the axios and package modules handed in, so the same file runs
// in Node, Bun, Deno and a workerd isolate (bundled). Each check starts its own sandbox through the
// host (host.mjs) and asserts the sandbox's own counters and request log, never only what the
// client says about itself.

const MASK = (token) => (token.length <= 16 ? '***' : `${token.slice(0, 12)}…`);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class CheckFailure extends Error {}

function assert(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

function equal(actual, expected, what) {
  if (actual !== expected)
    throw new CheckFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** The host's HTTP controls. */
function hostClient(hostUrl) {
  const call = async (method, path, body) => {
    const res = await fetch(`${hostUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`host ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    info: () => call('GET', '/info'),
    redirects: (tag) => call('GET', `/redirects/${tag}`),
    async sandbox(options = {}) {
      const { id, url, credentials } = await call('POST', '/sandboxes', options);
      const path = `/sandboxes/${id}`;
      return {
        url,
        credentials,
        state: () => call('GET', path),
        counters: async () => (await call('GET', path)).counters,
        apiCalls: async () => (await call('GET', path)).requests.filter((r) => r.route === 'api'),
        fault: (route, fault, times = 1) => call('POST', `${path}/fault`, { route, fault, times }),
        revokeAccess: () => call('POST', `${path}/revoke-access`, {}),
        revokeRefresh: () => call('POST', `${path}/revoke-refresh`, {}),
        rotateDpopNonce: () => call('POST', `${path}/rotate-dpop-nonce`, {}),
        close: () => call('DELETE', path),
      };
    },
  };
}

/**
 * The checks, by name. Each receives the context and returns a short note, or throws.
 * @type {Record<string, (ctx: any) => Promise<string | void>>}
 */
const CHECKS = {
  async 'single flight: 20 concurrent requests on a cold start, one token call'({ sandbox, attach }) {
    const s = await sandbox();
    await s.fault('token', { delayMs: 150 });
    const { api, auth } = attach(s);
    const [token, ...responses] = await Promise.all([
      auth.getAccessToken(),
      ...Array.from({ length: 20 }, () => api.get('/payments')),
    ]);
    assert(
      responses.every((r) => r.status === 200),
      'every request succeeds',
    );
    const counters = await s.counters();
    equal(counters.tokenCalls, 1, 'token calls at the sandbox');
    const calls = await s.apiCalls();
    equal(calls.length, 20, 'API calls at the sandbox');
    assert(
      calls.every((c) => c.token === MASK(token) && c.tokenState === 'valid'),
      'every API call carried the one token',
    );
    return `${counters.tokenCalls} token call for 20 requests`;
  },

  async 'refresh ahead: inside the refresh window the cached token is served at once, one background renewal'({
    sandbox,
    attach,
  }) {
    const s = await sandbox({ accessTokenTtlS: 900 });
    let now = Date.now();
    const { api, auth } = attach(s, { clock: () => now });
    await api.get('/payments');
    const first = await auth.getAccessToken();
    await s.fault('refresh', { delayMs: 400 });
    now += 870_000; // 30 s before expiry: inside the 60 s window
    const t0 = Date.now();
    await api.get('/payments');
    const waited = Date.now() - t0;
    assert(waited < 300, `the request in the refresh window waited ${waited} ms for the renewal`);
    for (let i = 0; i < 40 && (await s.counters()).refreshCalls === 0; i += 1) await delay(25);
    await delay(450);
    await api.get('/payments');
    const calls = await s.apiCalls();
    const counters = await s.counters();
    equal(counters.tokenCalls, 1, 'token calls');
    equal(counters.refreshCalls, 1, 'refresh calls');
    equal(calls[1].token, MASK(first), 'the request inside the window carried the cached token');
    assert(calls[2].token !== MASK(first), 'the request after the renewal carries the renewed token');
    equal(calls[2].tokenState, 'valid', 'the renewed token is valid at the sandbox');
    return `served in ${waited} ms; renewed in the background by refresh token`;
  },

  async '401 replay: a revoked token is renewed once and the request replayed with the new token'({ sandbox, attach }) {
    const s = await sandbox();
    const { api, auth } = attach(s);
    await api.get('/payments');
    const before = await auth.getAccessToken();
    await s.revokeAccess();
    const res = await api.get('/payments');
    equal(res.status, 200, 'status after the replay');
    const calls = await s.apiCalls();
    equal(calls.length, 3, 'API calls (first, 401, replay)');
    equal(calls[1].status, 401, 'the call with the revoked token');
    equal(calls[1].tokenState, 'revoked', 'token state of that call');
    equal(calls[1].token, MASK(before), 'the refused call carried the old token');
    equal(calls[2].status, 200, 'the replay');
    assert(calls[2].token !== MASK(before), 'the replay carries a new token');
    equal(calls[2].tokenState, 'valid', 'token state of the replay');
    const counters = await s.counters();
    equal(counters.unauthorized, 1, '401s');
    equal(counters.refreshCalls, 1, 'renewals by refresh token');
    equal(counters.tokenCalls, 1, 'token calls');
  },

  async 'fallback: a refused refresh token falls back to client_credentials'({ sandbox, attach }) {
    const s = await sandbox();
    const { api, auth } = attach(s);
    await api.get('/payments');
    await s.revokeRefresh();
    auth.invalidate();
    const res = await api.get('/payments');
    equal(res.status, 200, 'status');
    const { counters, requests } = await s.state();
    equal(counters.refreshCalls, 1, 'refresh calls');
    equal(counters.tokenCalls, 2, 'client_credentials calls (start, fallback)');
    const refresh = requests.find((r) => r.route === 'refresh');
    equal(refresh.status, 401, 'the refresh answer');
    const last = requests.filter((r) => r.route === 'token').at(-1);
    equal(last.grantType, 'client_credentials', 'grant of the fallback');
    equal(requests.at(-1).tokenState, 'valid', 'the request after the fallback');
  },

  async 'idempotency: a create whose answer was lost is retried with the same key, one payment'({ sandbox, attach }) {
    const s = await sandbox();
    const retries = [];
    const { api } = attach(s, {
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50, onRetry: (event) => retries.push(event.reason) },
    });
    await s.fault('api', { dropAfterHandling: true });
    const res = await api.post('/payments', { amount: 1250, currency: 'EUR' });
    assert(res.status === 200 || res.status === 201, `status ${res.status}`);
    const creates = (await s.apiCalls()).filter((c) => c.method === 'POST');
    equal(creates.length, 2, 'create calls at the sandbox (lost answer, retry)');
    assert(typeof creates[0].idempotencyKey === 'string' && creates[0].idempotencyKey !== '', 'the create has a key');
    equal(creates[1].idempotencyKey, creates[0].idempotencyKey, 'the retry carries the same Idempotency-Key');
    equal((await s.counters()).paymentsCreated, 1, 'payments created');
    equal(res.headers['idempotent-replayed'], 'true', 'the retry was answered as a replay');
    // Deno's node:http (the default adapter there) sends the request again by itself when the
    // connection closes unanswered, with the same headers: the key is what keeps it one payment.
    const by = retries.length > 0 ? `retried by the package (${retries.join(', ')})` : 'sent again by the runtime';
    return `key ${creates[0].idempotencyKey.slice(0, 8)}…, one payment, ${by}`;
  },

  async 'redirect: a redirect to another origin arrives without Authorization'({ sandbox, attach, host, hostUrl }) {
    const s = await sandbox();
    const { api } = attach(s, { apiOrigins: [hostUrl] });
    const notes = [];
    for (const status of [302, 307]) {
      const tag = `r${Math.random().toString(36).slice(2, 10)}`;
      const res = await api.get(`${hostUrl}/redirect/${tag}?status=${status}`);
      equal(res.data?.landed, tag, `the ${status} was followed to the landing origin`);
      const seen = await host.redirects(tag);
      equal(seen.atRedirector.length, 1, `requests at the redirector (${status})`);
      assert(/^Bearer \S+$/.test(seen.atRedirector[0] ?? ''), `the API origin got the bearer token (${status})`);
      equal(seen.atLanding.length, 1, `requests at the landing origin (${status})`);
      equal(seen.atLanding[0], null, `Authorization at the other origin after a ${status}`);
      notes.push(status);
    }
    return `${notes.join(' and ')}: token stripped`;
  },

  async 'leak scan: no secret or token in errors, inspect or JSON'({ sandbox, attach, pkg, inspect }) {
    const s = await sandbox();
    const { clientId, clientSecret } = s.credentials;
    let stored;
    const store = new pkg.MemoryTokenStore();
    const capture = {
      get: (key) => store.get(key),
      set: (key, token, ttl) => ((stored = token), store.set(key, token, ttl)),
      tryLock: (key, owner, ttl) => store.tryLock(key, owner, ttl),
      unlock: (key, owner) => store.unlock(key, owner),
    };
    const { api, auth } = attach(s, { store: capture });
    const errors = [];
    const failed = async (promise) => {
      try {
        await promise;
      } catch (error) {
        errors.push(error);
        return error;
      }
      throw new CheckFailure('expected a failure');
    };
    await api.get('/payments');
    const accessToken = await auth.getAccessToken();
    assert(stored?.refreshToken, 'the store saw the refresh token');
    // An API error (404) after a token was sent, a 401 twice, a server that echoes the secret.
    equal((await failed(api.get('/payments/nope'))).response?.status, 404, 'status of the API error');
    await s.fault('api', { status: 401 }, 2);
    await failed(api.get('/payments'));
    const echoed = await sandbox();
    await echoed.fault('token', {
      status: 400,
      body: { error: 'invalid_request', error_description: `bad client_secret ${echoed.credentials.clientSecret}` },
    });
    const second = attach(echoed);
    await failed(second.api.get('/payments'));
    const wrong = await sandbox();
    const third = attach(wrong, {}, { clientId: wrong.credentials.clientId, clientSecret: 'wrong-secret-value-123' });
    const rejected = await failed(third.api.get('/payments'));
    equal(rejected.code, 'CREDENTIALS_REJECTED', 'code of a rejected client');
    const secrets = {
      'client secret': clientSecret,
      'Basic credentials': btoa(`${clientId}:${clientSecret}`),
      'access token': accessToken,
      'refresh token': stored.refreshToken,
      'echoed client secret': echoed.credentials.clientSecret,
      'rejected client secret': 'wrong-secret-value-123',
    };
    const texts = {};
    errors.forEach((error, i) => {
      const name = `error ${i + 1} (${error.code ?? error.name})`;
      texts[`String(${name})`] = String(error);
      texts[`${name}.stack`] = error.stack ?? '';
      texts[`JSON of ${name}`] = JSON.stringify(error) ?? '';
      texts[`JSON of ${name}.cause`] = JSON.stringify(error.cause) ?? '';
      if (inspect) texts[`inspect(${name})`] = inspect(error, { depth: 8 });
    });
    texts['status()'] = JSON.stringify(auth.status()) + JSON.stringify(second.auth.status());
    if (inspect) texts['inspect(handle)'] = inspect(auth, { depth: 4 });
    const haystack = Object.values(texts).join('\n');
    assert(haystack.length > 2000, `only ${haystack.length} characters to scan`);
    // Named, never quoted: the report must not leak what it found.
    const found = Object.entries(secrets).flatMap(([what, secret]) =>
      Object.entries(texts)
        .filter(([, text]) => text.includes(secret))
        .map(([where]) => `${what} in ${where}`),
    );
    assert(found.length === 0, `found: ${found.join('; ')}`);
    return `${errors.length} errors, ${haystack.length} characters${inspect ? ' (with inspect)' : ''}`;
  },

  async 'abort: a request aborted while waiting for the token, and one aborted in flight'({ sandbox, attach, axios }) {
    const s = await sandbox();
    await s.fault('token', { delayMs: 400 });
    const { api } = attach(s);
    const waiting = new AbortController();
    const t0 = Date.now();
    const first = api.get('/payments', { signal: waiting.signal }).then(
      () => 'resolved',
      (error) => error,
    );
    const other = api.get('/payments');
    setTimeout(() => waiting.abort(), 50);
    const error = await first;
    assert(axios.isCancel(error), `the aborted request rejected with a cancel, got ${error?.code ?? error}`);
    assert(Date.now() - t0 < 350, 'the abort did not wait for the token');
    equal((await other).status, 200, 'the other request of the flight');
    await s.fault('api', { delayMs: 1000 });
    const inFlight = new AbortController();
    const t1 = Date.now();
    const second = api.get('/payments', { signal: inFlight.signal }).then(
      () => 'resolved',
      (e) => e,
    );
    setTimeout(() => inFlight.abort(), 50);
    const error2 = await second;
    assert(
      axios.isCancel(error2),
      `the request aborted in flight rejected with a cancel, got ${error2?.code ?? error2}`,
    );
    assert(Date.now() - t1 < 700, 'the abort did not wait for the answer');
    equal((await api.get('/payments')).status, 200, 'a request after the aborts');
    equal((await s.counters()).tokenCalls, 1, 'token calls');
  },

  async 'browser guard: attaches here without dangerouslyAllowBrowser, refuses a browser-like global'({
    sandbox,
    pkg,
    axios,
  }) {
    const s = await sandbox();
    const make = (options) => pkg.attachPaymentAuth(axios.create({ baseURL: s.url }), s.credentials, options);
    make().detach();
    const g = globalThis;
    const had = Object.getOwnPropertyDescriptor(g, 'window');
    // Synchronous from here to the restore: no other check runs in between.
    let refused;
    try {
      g.window = { document: {} };
      try {
        make().detach();
      } catch (error) {
        refused = error;
      }
      make({ dangerouslyAllowBrowser: true }).detach();
    } finally {
      if (had) Object.defineProperty(g, 'window', had);
      else delete g.window;
    }
    assert(refused instanceof TypeError, 'a window with a document is refused');
    assert(/refusing to run in a browser/.test(refused.message), `the refusal says why: ${refused.message}`);
  },

  async 'DPoP: a bound token, a new proof per request, nonces answered once, a 401 replayed with a new proof'({
    sandbox,
    attach,
  }) {
    const s = await sandbox({ dpop: 'require-nonce' });
    const { api } = attach(s, { dpop: true });
    const first = await Promise.all(Array.from({ length: 5 }, () => api.get('/payments')));
    assert(
      first.every((r) => r.status === 200),
      'every request succeeds',
    );
    await s.rotateDpopNonce();
    equal((await api.post('/payments', { amount: 1000, currency: 'EUR' })).status, 201, 'create after a nonce change');
    await s.revokeAccess();
    equal((await api.get('/payments')).status, 200, 'status after the 401 replay');
    const { counters, requests } = await s.state();
    equal(counters.tokenCalls, 2, 'token calls (the first asked for a nonce)');
    // A nonce challenge is answered with a new proof, never with a new token: one renewal, the
    // revocation's, whose refresh call was asked for the changed nonce once.
    equal(counters.refreshCalls, 2, 'refresh calls');
    const served = requests.filter((r) => r.route === 'api' && r.status < 300);
    equal(served.length, 7, 'API calls served');
    assert(
      served.every((r) => r.scheme === 'DPoP' && r.dpop?.ath === true),
      'every served API call carried a DPoP token and a proof with ath',
    );
    const proofs = requests.flatMap((r) => (r.dpop ? [r.dpop] : []));
    equal(new Set(proofs.map((p) => p.jti)).size, proofs.length, 'distinct jtis');
    equal(new Set(proofs.map((p) => p.jkt)).size, 1, 'keys the proofs were signed with');
    const created = served.find((r) => r.method === 'POST');
    const posts = requests.filter((r) => r.route === 'api' && r.method === 'POST');
    assert(
      posts.length === 2 &&
        posts[0].dpopError === 'use_dpop_nonce' &&
        posts.every((p) => p.idempotencyKey === created.idempotencyKey),
      'the create was asked for the new nonce once and sent again with its key',
    );
    return `${proofs.length} proofs, ${counters.dpopNonceChallenges} nonce challenges`;
  },

  async 'token store over HTTP: two isolates share one token call'({ sandbox, attach, KvStore, kvUrl }) {
    if (!KvStore) throw new CheckFailure('no key-value store module was loaded');
    const s = await sandbox();
    await s.fault('token', { delayMs: 150 });
    const prefix = `check-${Math.random().toString(36).slice(2)}:`;
    // Each isolate has its own store object (its own module scope); they meet only in the KV.
    const isolates = [0, 1].map(() =>
      attach(s, { store: new KvStore({ url: kvUrl, token: 'kv-token', keyPrefix: prefix }) }),
    );
    const responses = await Promise.all(isolates.map(({ api }) => api.get('/payments')));
    assert(
      responses.every((r) => r.status === 200),
      'both isolates succeed',
    );
    equal((await s.counters()).tokenCalls, 1, 'token calls for two isolates');
    const third = attach(s, { store: new KvStore({ url: kvUrl, token: 'kv-token', keyPrefix: prefix }) });
    await third.api.get('/payments');
    equal((await s.counters()).tokenCalls, 1, 'token calls after a third isolate started');
  },
};

/**
 * Runs every check with one adapter (undefined: the runtime's default). Checks run concurrently,
 * each on its own sandbox. `inspect`: the runtime's object inspector, where it has one.
 * @returns {Promise<Array<{ name: string, ok: boolean, note?: string, error?: string, ms: number }>>}
 */
export async function runChecks({ axios, pkg, adapter, hostUrl, inspect, KvStore, only }) {
  const host = hostClient(hostUrl);
  const { kvUrl } = await host.info();
  const opened = [];
  const attachments = [];
  const sandbox = async (options) => {
    const s = await host.sandbox(options);
    opened.push(s);
    return s;
  };
  const attach = (s, options = {}, credentials = s.credentials) => {
    const api = axios.create({ baseURL: `${s.url}/api/v1`, timeout: 5000, ...(adapter ? { adapter } : {}) });
    const auth = pkg.attachPaymentAuth(api, credentials, {
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
      breaker: false,
      ...options,
    });
    attachments.push(auth);
    return { api, auth };
  };
  const ctx = { axios, pkg, adapter, host, hostUrl, kvUrl, inspect, KvStore, sandbox, attach };
  const names = Object.keys(CHECKS).filter((name) => !only || only.some((o) => name.startsWith(o)));
  const results = await Promise.all(
    names.map(async (name) => {
      const t0 = Date.now();
      try {
        const note = await CHECKS[name](ctx);
        return { name, ok: true, note: note || undefined, ms: Date.now() - t0 };
      } catch (error) {
        const where = error instanceof CheckFailure ? '' : ` (${(error?.stack ?? '').split('\n')[1]?.trim() ?? ''})`;
        return { name, ok: false, error: `${error?.name}: ${error?.message}${where}`, ms: Date.now() - t0 };
      }
    }),
  );
  for (const auth of attachments) auth.detach();
  await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
  return results;
}

export const CHECK_NAMES = Object.keys(CHECKS);
