// The runtime matrix (`npm run test:runtimes`): the packed package end to end on Node, Bun, Deno and
// Cloudflare's workerd, each with axios's fetch adapter and with the runtime's default adapter.
// Packs the tarball, installs it with axios into a scratch consumer, installs the runtimes from the
// npm packages that ship their binaries (pinned below), starts the host (sandboxes, redirect
// origins, a key-value server) in this Node process on loopback, and runs checks.mjs on each
// runtime: Bun, Deno and Node run entry.mjs in the consumer; workerd runs worker.mjs bundled with
// esbuild, and calls the host over loopback from inside the isolate.
// Env: AXIOS_VERSION (default: the lockfile's), RUNTIMES (default: node,bun,deno,workerd),
// CHECKS (check name prefixes, comma-separated), RUNTIMES_REUSE=1 (run on the consumer as it is,
// without packing and installing again: plant.mjs edits its installed package). Exits 1 when any
// check fails on any runtime.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { startHost } from './host.mjs';

const RUNTIMES = {
  bun: { package: '@oven/bun-linux-x64', version: '1.4.5', bin: 'bin/bun' },
  deno: { package: '@deno/linux-x64-glibc', version: '2.9.6', bin: 'deno' },
  workerd: { package: '@cloudflare/workerd-linux-64', version: '1.20261201.1', bin: 'bin/workerd' },
};
/** workerd's compatibility date: the release's own. */
const COMPATIBILITY_DATE = '2026-12-01';
const TIMEOUT_MS = 60_000;

const root = resolve(import.meta.dirname, '..', '..');
const work = join(root, '.tmp', 'runtimes');
const consumer = join(work, 'consumer');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const wanted = (process.env.RUNTIMES ?? 'node,bun,deno,workerd').split(',').map((r) => r.trim());
const unknown = wanted.filter((r) => r !== 'node' && !(r in RUNTIMES));
if (unknown.length > 0) throw new Error(`unknown runtime(s): ${unknown.join(', ')}`);
const axiosVersion =
  process.env.AXIOS_VERSION ?? JSON.parse(readFileSync(join(root, 'node_modules/axios/package.json'), 'utf8')).version;

/** Runs a command to completion; rejects with its output when it fails or outlives TIMEOUT_MS. */
function run(cmd, args, { cwd = root, env = process.env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}\n${err.trim()}\n${out.trim()}`.trim()));
    });
  });
}

const npmInstall = (prefix, specs) =>
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, ...specs]);

/** Installs one runtime under .tmp/runtimes/<name> and returns the path of its binary. */
async function installRuntime(name) {
  const { package: pkg, version, bin } = RUNTIMES[name];
  const prefix = join(work, name);
  // The prefix must exist for npm's allowScripts preflight (see scripts/matrix.sh).
  mkdirSync(prefix, { recursive: true });
  await npmInstall(prefix, [`${pkg}@${version}`]);
  return join(prefix, 'node_modules', pkg, bin);
}

/** The packed tarball in a scratch consumer with axios, and the check files next to it. */
async function prepareConsumer() {
  rmSync(consumer, { recursive: true, force: true });
  mkdirSync(consumer, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
  )[0];
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // Its own tsconfig.json: Bun and esbuild would otherwise find this repository's, whose `paths`
  // map the package's name to src/, and test the source instead of the tarball.
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: {} }));
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      join(work, packed.filename),
      `axios@${axiosVersion}`,
    ],
    { cwd: consumer },
  );
  for (const file of ['checks.mjs', 'entry.mjs', 'report.mjs', 'worker.mjs'])
    cpSync(join(root, 'scripts', 'runtimes', file), join(consumer, file));
  // The example store and its test server, as plain JavaScript for every runtime.
  for (const [from, platform] of [
    ['rest-kv-token-store', 'neutral'],
    ['kv-server', 'node'],
  ]) {
    const source = readFileSync(join(root, 'examples', 'edge-kv-store', `${from}.ts`), 'utf8');
    const { code } = await transform(source, { loader: 'ts', format: 'esm', platform, target: 'es2022' });
    writeFileSync(join(consumer, `${from}.mjs`), code);
  }
  return packed.filename;
}

function freePort() {
  return new Promise((resolvePromise) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

async function runEntry(name, bin, hostUrl) {
  const args =
    name === 'deno'
      ? ['run', '--no-lock', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', 'entry.mjs']
      : ['entry.mjs'];
  const out = await run(bin, args, { cwd: consumer, env: { ...process.env, HOST_URL: hostUrl, NO_COLOR: '1' } });
  if (!out.trim()) throw new Error(`${name} printed no report`);
  const result = JSON.parse(out.trim().split('\n').at(-1));
  if (!result.resolved.includes('/consumer/node_modules/axios-payment-auth/dist/'))
    throw new Error(`${name} loaded the package from ${result.resolved}, not from the installed tarball`);
  return result;
}

/** Bundles worker.mjs as a Workers build would, serves it with workerd and fetches its report. */
async function runWorkerd(bin, hostUrl) {
  const dir = join(work, 'workerd-app');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { metafile } = await build({
    metafile: true,
    entryPoints: [join(consumer, 'worker.mjs')],
    tsconfig: join(consumer, 'tsconfig.json'),
    outfile: join(dir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    target: 'es2022',
    logLevel: 'error',
  });
  const bundled = Object.keys(metafile.inputs).filter((f) => /axios-payment-auth\/dist\/index\.mjs$/.test(f));
  if (bundled.length !== 1 || Object.keys(metafile.inputs).some((f) => /^src\//.test(f)))
    throw new Error(
      `the worker bundle does not hold the installed package: ${Object.keys(metafile.inputs).join(', ')}`,
    );
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .checks),
    # Loopback is private: the default outbound network allows only public addresses.
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const checks :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [(name = "HOST_URL", text = "${hostUrl}")],
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(bin, ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolvePromise) => child.on('close', resolvePromise));
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const query = process.env.CHECKS ? `?checks=${encodeURIComponent(process.env.CHECKS)}` : '';
        const res = await fetch(`http://127.0.0.1:${port}/${query}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        const text = await res.text();
        if (!res.ok) throw new Error(`the worker answered ${res.status}: ${text.slice(0, 2000)}\n${log}`);
        return JSON.parse(text);
      } catch (error) {
        if (error.cause?.code !== 'ECONNREFUSED' || Date.now() > deadline || child.exitCode !== null)
          throw new Error(`workerd: ${error.message}\n${log.trim()}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

// Every install in parallel: the runtimes' binaries and the consumer.
const installs = Object.fromEntries(wanted.filter((r) => r !== 'node').map((r) => [r, installRuntime(r)]));
const reuse = process.env.RUNTIMES_REUSE === '1';
const tarball = reuse ? 'the installed package (reused)' : await prepareConsumer();
const bins = { node: process.execPath };
for (const [name, promise] of Object.entries(installs)) bins[name] = await promise;
console.log(`runtime matrix: ${tarball} with axios ${axiosVersion}; installed in ${elapsed()}`);

const requireFromConsumer = createRequire(join(consumer, 'package.json'));
const testing = requireFromConsumer('axios-payment-auth/testing');
const { startKvServer } = await import(pathToFileURL(join(consumer, 'kv-server.mjs')).href);
const kv = await startKvServer('kv-token');
const host = await startHost({ testing, kvUrl: kv.url });

const failures = [];
try {
  for (const name of wanted) {
    const t0 = performance.now();
    let result;
    try {
      result =
        name === 'workerd' ? await runWorkerd(bins.workerd, host.url) : await runEntry(name, bins[name], host.url);
    } catch (error) {
      failures.push(`${name}: ${error.message.split('\n')[0]}`);
      console.log(`✘ ${name}: did not run\n${error.message}`);
      continue;
    }
    const version = name === 'workerd' ? `workerd ${RUNTIMES.workerd.version}` : result.runtime;
    console.log(`=== ${version}, axios ${result.axios} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`    browser guard reads: ${JSON.stringify(result.guard)}`);
    for (const [adapter, results] of Object.entries(result.adapters)) {
      if (results.length === 0) failures.push(`${name}, ${adapter}: no check ran`);
      for (const r of results) {
        console.log(
          `  ${r.ok ? 'ok  ' : 'FAIL'} [${adapter}] ${r.name}${r.ok ? (r.note ? `: ${r.note}` : '') : `: ${r.error}`}`,
        );
        if (!r.ok) failures.push(`${name}, ${adapter}: ${r.name}: ${r.error}`);
      }
    }
  }
} finally {
  await host.close();
  await kv.close();
}

if (failures.length > 0) {
  console.log(`\n✘ runtime matrix failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`runtime matrix passed: ${wanted.join(', ')} in ${elapsed()}`);
