// `npm test`: every check, one line each when it passes; the whole output of a check only when it
// fails (then the run stops with its exit code). `npm run test:jest` and the others run one check
// with all of its output.
import { spawn } from 'node:child_process';

const STEPS = [
  ['typecheck', 'types'],
  ['lint', 'lint'],
  ['format:check', 'formatting'],
  ['depcruise', 'layering'],
  ['build', 'build'],
  ['test:jest', 'unit, integration and chaos tests'],
  ['test:package', 'the packed package'],
];

/** What a passing step's output says worth keeping: jest's counts, the size of the package. */
function summary(step, output) {
  if (step === 'test:jest') {
    const suites = /^Test Suites:\s+(.+)$/m.exec(output)?.[1];
    const tests = /^Tests:\s+(.+)$/m.exec(output)?.[1];
    return [tests && `tests ${tests}`, suites && `suites ${suites}`].filter(Boolean).join('; ');
  }
  if (step === 'test:package') return /^packed (.+)$/m.exec(output)?.[1] ?? '';
  return '';
}

function seconds(ms) {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function run(step) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', step], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const started = Date.now();
for (const [step, what] of STEPS) {
  const t0 = Date.now();
  process.stdout.write(`… ${what} (npm run ${step})\n`);
  const { code, output } = await run(step);
  if (code !== 0) {
    process.stdout.write(`${output.trimEnd()}\n\n✘ ${what} failed (npm run ${step}, exit code ${code})\n`);
    process.exit(code);
  }
  const said = summary(step, output);
  process.stdout.write(`✔ ${what}${said ? `: ${said}` : ''} (${seconds(Date.now() - t0)})\n`);
}
process.stdout.write(`All checks passed in ${seconds(Date.now() - started)}.\n`);
