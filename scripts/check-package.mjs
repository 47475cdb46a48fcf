// Checks the package as users get it: pack it, lint the tarball (publint, arethetypeswrong),
// install it into a scratch consumer, then require() it, import it and type-check against it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.tmp', 'package-check');
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
const bin = (name) => join(root, 'node_modules', '.bin', name);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
)[0];
const tarball = join(work, packed.filename);
console.log(`packed ${packed.filename}: ${packed.files.length} files, ${packed.size} bytes`);
const stray = packed.files
  .map((f) => f.path)
  .filter((p) => !/^(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(p));
if (stray.length > 0) throw new Error(`unexpected files in the tarball: ${stray.join(', ')}`);

const smokeOnly = process.argv.includes('--smoke-only');
if (!smokeOnly) {
  run(bin('publint'), ['run', tarball, '--strict']);
  run(bin('attw'), [tarball, '--profile', 'node16']);
}

const consumer = join(work, 'consumer');
mkdirSync(consumer);
const axiosVersion =
  process.env.AXIOS_VERSION ?? JSON.parse(readFileSync(join(root, 'node_modules/axios/package.json'), 'utf8')).version;
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }));
run(
  'npm',
  ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, `axios@${axiosVersion}`],
  consumer,
);
cpSync(join(root, 'scripts', 'smoke'), consumer, { recursive: true });
const node = process.env.SMOKE_NODE ?? process.execPath;
run(node, ['smoke.cjs'], consumer);
run(node, ['smoke.mjs'], consumer);
if (smokeOnly) {
  console.log(`package smoke on ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}: ok`);
  process.exit(0);
}
// The bin as npm links it.
run(join(consumer, 'node_modules', '.bin', 'payment-auth'), ['token', '--help'], consumer);
writeFileSync(
  join(consumer, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: [],
    },
    files: ['types.mts', 'types.cts'],
  }),
);
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer]);

// The README quick start, copied as is, against the sandbox.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const quickStart = /## Quick start\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
if (!quickStart) throw new Error('README has no ```js block under "## Quick start"');
writeFileSync(join(consumer, 'quick-start.mjs'), quickStart);
const { startPaymentSandbox } = await import(join(root, 'dist', 'testing', 'index.mjs'));
const sandbox = await startPaymentSandbox();
try {
  const env = {
    ...process.env,
    PAYMENT_API_URL: `${sandbox.url}/api/v1`,
    PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
    PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
  };
  const { execFile } = await import('node:child_process');
  const output = await new Promise((resolveRun, rejectRun) => {
    execFile(node, ['quick-start.mjs'], { cwd: consumer, env, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? rejectRun(new Error(`quick start failed: ${stderr}`)) : resolveRun(stdout),
    );
  });
  if (!/^pay_\w+ succeeded$/m.test(String(output)) || sandbox.counters().paymentsCreated !== 1)
    throw new Error(`quick start printed ${JSON.stringify(output)}`);
  console.log(`README quick start: ${String(output).trim()}`);
} finally {
  await sandbox.close();
}
console.log('package check: ok');
