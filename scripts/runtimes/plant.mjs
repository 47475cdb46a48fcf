// Checks the runtime checks: plants one bug at a time in the package that the scratch consumer
// installed (and in the example store), runs the matrix on it (`run.mjs` with RUNTIMES_REUSE=1),
// and expects the check that guards the behaviour to fail on every runtime and adapter where the
// broken code runs; then restores the file. Run `npm run test:runtimes` first (it leaves the
// consumer in .tmp/runtimes). Not part of CI: each bug is a full run of the matrix.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const consumer = join(root, '.tmp', 'runtimes', 'consumer');
const dist = join(consumer, 'node_modules', 'axios-payment-auth', 'dist', 'index.mjs');
const store = join(consumer, 'rest-kv-token-store.mjs');
const followRedirects = join(consumer, 'node_modules', 'follow-redirects', 'index.js');
const axiosHttp = join(consumer, 'node_modules', 'axios', 'lib', 'adapters', 'http.js');
const ALL = ['node', 'bun', 'deno', 'workerd'].flatMap((r) => [`${r} fetch`, `${r} default`]);

/** Each bug: the file, the text replaced, the check expected to fail, and where it must fail. */
const BUGS = [
  {
    name: 'a DPoP nonce challenge from the API is passed on, not answered',
    file: dist,
    from: /if \(challenge === ["']use_dpop_nonce["']\) return retryWithNonce\(error, config, state\);/,
    to: '',
    check: 'DPoP',
    where: ALL,
  },
  {
    name: 'no single flight (every request starts its own acquisition)',
    file: dist,
    from: /this\.#renew = pMemoize\(\(\) => this\.#acquire\(\), \{[^}]*\}\);/,
    to: 'this.#renew = () => this.#acquire();',
    check: 'single flight',
    where: ALL,
  },
  {
    name: 'no refresh window (renewal only at expiry)',
    file: dist,
    from: /return token\.expiresAt - Math\.min\(this\.options\.refreshWindowMs, \(token\.expiresAt - token\.issuedAt\) \/ 2\);/,
    to: 'return token.expiresAt;',
    check: 'refresh ahead',
    where: ALL,
  },
  {
    name: 'a 401 is passed on, not replayed',
    file: dist,
    from: /if \(status !== 401\) \{/,
    to: 'if (status !== 4010) {',
    check: '401 replay',
    where: ALL,
  },
  {
    name: 'no fallback after a refused refresh token',
    file: dist,
    from: /const fallback = this\.#usable\(refresh\);/,
    to: 'const fallback = this.#usable(refresh); if (refresh) throw new Error("planted: no fallback");',
    check: 'fallback',
    where: ALL,
  },
  {
    name: 'a new idempotency key for every attempt',
    file: dist,
    from: /if \(value === false \|\| usableKey\(value\) !== void 0\) return false;/,
    to: 'if (value === false) return false;',
    check: 'idempotency',
    // Not Deno's default (node:http): the runtime resends the request itself, with the same key.
    where: ALL.filter((w) => w !== 'deno default'),
  },
  {
    name: 'a code-less transport failure is not retried (before the workerd fix)',
    file: dist,
    from: /function isTransientTransportFailure\(error\) \{/,
    to: 'function isTransientTransportFailure(error) {\n  return isTransientTransportCode(error.code);',
    check: 'idempotency',
    where: ['workerd fetch', 'workerd default'],
  },
  {
    // axios 1.21 (for another origin) and follow-redirects (for another host or port) strip it
    // too; the guard adds subdomains and downgrades, which loopback cannot show. All three are
    // broken here. The fetch adapter leaves redirects to the runtime's fetch, which strips it.
    name: 'the redirect guard and follow-redirects keep Authorization (the http adapter)',
    file: dist,
    from: /if \(origin && scope\.hasApiOrigin\(origin\)\) return;/,
    to: 'return;',
    also: [
      { file: followRedirects, from: /removeMatchingHeaders\(this\._headerFilter, this\._options\.headers\);/, to: '' },
      {
        file: axiosHttp,
        from: /stripMatchingHeaders\(options\.headers, new Set\(\['authorization', 'cookie'\]\)\);/,
        to: '',
      },
    ],
    check: 'redirect',
    where: ['node default', 'bun default', 'deno default'],
  },
  {
    name: 'errors are not cleaned',
    file: dist,
    from: /function cleanAxiosError\(error, secrets\) \{/,
    to: 'function cleanAxiosError(error, secrets) {\n  return error;',
    check: 'leak scan',
    where: ALL,
  },
  {
    name: 'an abort is ignored while the request waits for the token',
    file: dist,
    from: /return untilAborted\(waiter\.promise, cancel\.signal\)\.finally\(stopListening\);/,
    to: 'return waiter.promise.finally(stopListening);',
    check: 'abort',
    where: ALL,
  },
  {
    name: 'the browser guard ignores a window with a document',
    file: dist,
    from: /if \(g\.window !== void 0 && g\.window !== null && g\.window\.document !== void 0\) return true;/,
    to: '',
    check: 'browser guard',
    where: ALL,
  },
  {
    name: 'the example store never finds a stored token',
    file: store,
    from: /async get\(key\) \{/,
    to: 'async get(key) {\n    return undefined;',
    check: 'token store over HTTP',
    where: ALL,
  },
];

const only = process.argv.slice(2);
let escaped = 0;
for (const bug of BUGS.filter((b) => only.length === 0 || only.some((o) => b.name.includes(o)))) {
  const edits = [bug, ...(bug.also ?? [])].map((e) => ({ ...e, original: readFileSync(e.file, 'utf8') }));
  const stale = edits.find((e) => !e.from.test(e.original));
  if (stale) {
    console.log(`✘ ${bug.name}: the text to replace is not in ${stale.file} (it changed: update plant.mjs)`);
    escaped += 1;
    continue;
  }
  for (const e of edits) writeFileSync(e.file, e.original.replace(e.from, e.to));
  let output;
  try {
    output = spawnSync(process.execPath, [join(import.meta.dirname, 'run.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RUNTIMES_REUSE: '1', CHECKS: bug.check },
    }).stdout;
  } finally {
    for (const e of edits) writeFileSync(e.file, e.original);
  }
  // Which runtime and adapter reported the check as failed.
  const failed = new Set();
  let runtime = '';
  for (const line of output.split('\n')) {
    const header = /^=== (\w+)/.exec(line);
    if (header) runtime = header[1].toLowerCase();
    // A runtime whose process failed (the bug crashed it) failed every check.
    const crashed = /^✘ (\w+): did not run/.exec(line);
    if (crashed) for (const a of ['fetch', 'default']) failed.add(`${crashed[1]} ${a}`);
    const fail = /^\s+FAIL \[(\w+)/.exec(line);
    if (fail && line.includes(`] ${bug.check}`)) failed.add(`${runtime} ${fail[1]}`);
  }
  const missed = bug.where.filter((w) => !failed.has(w));
  const extra = [...failed].filter((f) => !bug.where.includes(f));
  if (missed.length === 0) console.log(`✔ ${bug.name}: '${bug.check}' failed on ${[...failed].join(', ')}`);
  else {
    escaped += 1;
    console.log(`✘ ${bug.name}: '${bug.check}' passed on ${missed.join(', ')}\n${output}`);
  }
  if (extra.length > 0) console.log(`  (also failed on ${extra.join(', ')})`);
}
if (escaped > 0) process.exit(1);
