// Checks the package as users get it: pack it, lint the tarball (publint, arethetypeswrong),
// install it into a scratch consumer, then require() it, import it and type-check against it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nestNode from './nest-node.cjs';

const { installedNestRunsOn } = nestNode;

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
// Against the sandbox, and against oidc-provider (the repository's, on this Node) with the client on `node`.
const oidc = {
  OIDC_PROVIDER_SERVER: join(root, '__tests__', '_helpers', 'oidc-provider-server.mjs'),
  OIDC_NODE: process.execPath,
};
execFileSync(node, ['client-auth.cjs'], { cwd: consumer, stdio: 'inherit', env: { ...process.env, ...oidc } });
execFileSync(node, ['client-auth.mjs'], { cwd: consumer, stdio: 'inherit', env: { ...process.env, ...oidc } });
// The NestJS entry with the NestJS installed here (resolved from this repository's node_modules),
// on every Node that NestJS runs on (scripts/nest-node.cjs).
if (installedNestRunsOn(execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim())) {
  run(node, ['nest.cjs'], consumer);
  run(node, ['nest.mjs'], consumer);
}
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

// Every TypeScript block of the README and docs/ as a user would paste it: an ES module of its own,
// type-checked strictly against the packed package (the libraries a block imports besides it,
// such as ioredis or @nestjs/common, resolve from this repository's node_modules). A block that
// shows a repository file (`<!-- file: … -->`) is checked where that file lives.
const snippets = [];
for (const page of [
  'README.md',
  ...readdirSync(join(root, 'docs')).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : [])),
]) {
  const text = readFileSync(join(root, page), 'utf8');
  let n = 0;
  for (const [, embedded, code] of text.matchAll(/(<!-- file: \S+ -->\n)?```ts\n([\s\S]*?)```/g)) {
    n += 1;
    if (embedded) continue;
    const name = `${page.replace(/\W/g, '-')}-${n}.mts`;
    mkdirSync(join(consumer, 'snippets'), { recursive: true });
    writeFileSync(join(consumer, 'snippets', name), code);
    snippets.push(`snippets/${name}`);
  }
}
writeFileSync(
  join(consumer, 'tsconfig.snippets.json'),
  JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node', 'jest'],
    },
    files: snippets,
  }),
);
run(process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(consumer, 'tsconfig.snippets.json'),
]);
console.log(`docs: ${snippets.length} TypeScript blocks compile with tsc --strict against the package`);

// The README quick start, copied as is, against the sandbox.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const quickStart = /## Quick start\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
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
