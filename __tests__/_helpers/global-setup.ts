import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Some tests load the built package (dist/): the NestJS entry (mapped to dist/ in jest.config.js),
// the CLI, the fleet workers and the child processes of process-exit. Run alone, `jest` would test
// whatever build is lying around. This runs once per jest run, before any worker starts: when
// dist/ is missing or older than a file of src/, it rebuilds it (`npm run build`), or fails with a
// clear message.

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
/** The outputs the tests and the package's exports load. */
const OUTPUTS = [
  ...['index', 'testing/index', 'redis/index', 'nestjs/index', 'opentelemetry/index'].flatMap((entry) =>
    ['.js', '.mjs', '.d.ts', '.d.mts'].map((ext) => `${entry}${ext}`),
  ),
  'cli/index.js',
];
/** A directory as a lock: two jest runs in one tree never build at once. */
const LOCK = join(root, '.tmp', 'dist-build.lock');
const LOCK_STALE_MS = 5 * 60_000;

function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: 'tsup.config.ts', mtimeMs: statSync(join(root, 'tsup.config.ts')).mtimeMs };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const { mtimeMs } = statSync(path);
        if (mtimeMs > newest.mtimeMs) newest = { file: relative(root, path), mtimeMs };
      }
    }
  };
  walk(join(root, 'src'));
  return newest;
}

/** Why dist/ is not current, or undefined when it is. */
function staleness(): string | undefined {
  const missing = OUTPUTS.find((output) => !existsSync(join(dist, output)));
  if (missing) return `dist/${missing} is missing`;
  const oldest = OUTPUTS.map((output) => ({ output, mtimeMs: statSync(join(dist, output)).mtimeMs })).reduce((a, b) =>
    b.mtimeMs < a.mtimeMs ? b : a,
  );
  const source = newestSource();
  return source.mtimeMs > oldest.mtimeMs ? `dist/${oldest.output} is older than ${source.file}` : undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock<T>(run: () => T): T {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS)
        rmSync(LOCK, { recursive: true, force: true }); // a run that died while building
      else sleep(200);
    }
  }
  try {
    return run();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export default function globalSetup(): void {
  // Stryker's sandbox instruments src/ for every mutant; its test config leaves out the tests that
  // run dist/, and rebuilding there would bundle the instrumentation.
  if (process.env.STRYKER_MUTATOR_WORKER !== undefined) return;
  if (!staleness()) return;
  withLock(() => {
    const reason = staleness(); // another jest run may have built it while this one waited
    if (!reason) return;
    process.stderr.write(`\n${reason}: rebuilding dist/ (npm run build) before the tests…\n`);
    try {
      execFileSync('npm', ['run', 'build', '--silent'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `dist/ is out of date (${reason}) and \`npm run build\` failed, so the tests that load dist/ cannot run:\n${stderr || stdout || String(error)}`,
        { cause: error },
      );
    }
    const still = staleness();
    if (still)
      throw new Error(
        `dist/ is still out of date after \`npm run build\` (${still}): a source file changed during the build; run the tests again`,
      );
  });
}
