import { attachUsageError, parseFlags, UsageError, type CommandSpec } from '../../src/cli/args';
import { plural } from '../../src/cli/plural';
import { runtimeLabel } from '../../src/cli/runtime-label';

describe('runtimeLabel', () => {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  afterEach(() => {
    delete g.Bun;
    delete g.Deno;
  });

  it('names Node with its version, and Bun and Deno by their own, not their emulated process.version', () => {
    expect(runtimeLabel()).toBe(`node ${process.version}`);
    g.Bun = { version: '1.4.2' };
    expect(runtimeLabel()).toBe('bun 1.4.2');
    delete g.Bun;
    g.Deno = { version: { deno: '2.9.1', v8: '13' } };
    expect(runtimeLabel()).toBe('deno 2.9.1');
    g.Deno = { version: {} };
    expect(runtimeLabel()).toBe(`node ${process.version}`);
  });
});

describe('plural', () => {
  it('counts in words', () => {
    expect([0, 1, 2].map((n) => plural(n, 'token call'))).toEqual(['0 token calls', '1 token call', '2 token calls']);
    expect(plural(1, 'retry', 'retries')).toBe('1 retry');
    expect(plural(3, 'retry', 'retries')).toBe('3 retries');
  });
});

describe('parseFlags', () => {
  const spec: CommandSpec = {
    name: 'x',
    headline: 'X.',
    summary: 'X.',
    flags: {
      n: { type: 'string', description: 'n', integer: { min: 1, max: 9 } },
      s: { type: 'string', description: 's' },
      b: { type: 'boolean', description: 'b' },
    },
  };

  it('takes a negative number after a value flag as its value, so the range check names the flag', () => {
    expect(() => parseFlags(spec, ['--n', '-1'])).toThrow(
      new UsageError('--n must be an integer from 1 to 9, got "-1"'),
    );
    expect(parseFlags(spec, ['--s', '-5', '--n', '3'])).toMatchObject({ s: '-5', n: 3 });
    // Not after a boolean flag, nor a non-number.
    expect(() => parseFlags(spec, ['--b', '-1'])).toThrow(UsageError);
    expect(() => parseFlags(spec, ['--s', '-x'])).toThrow(UsageError);
  });

  it("reports the first line of Node's parser message only", () => {
    try {
      parseFlags(spec, ['--s']);
      throw new Error('no throw');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toMatch(/--s/);
    }
  });
});

describe('attachUsageError', () => {
  it("drops attachPaymentAuth's prefix and names the flag for allowInsecureHttp", () => {
    const error = attachUsageError(
      new TypeError(
        'attachPaymentAuth: baseURL uses http: on a non-loopback host; … (use https:, or allowInsecureHttp: true)',
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('baseURL uses http: on a non-loopback host; … (use https:, or --allow-insecure-http)');
    expect(attachUsageError('plain').message).toBe('plain');
  });
});
