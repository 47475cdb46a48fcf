import { parseArgs } from 'node:util';

/** A mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Declares one flag of a command. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  /** For numbers: the flag's value must be an integer in this range. */
  integer?: { min: number; max: number };
  default?: string | boolean;
}

/** A command's name, summary and flags, enough to parse and to print `--help`. */
export interface CommandSpec {
  name: string;
  /** One sentence, for the list of commands in `payment-auth --help`. */
  headline: string;
  summary: string;
  flags: Record<string, FlagSpec>;
}

/** Renders a command's `--help`. */
export function usage(spec: CommandSpec): string {
  const width =
    Math.max(...Object.entries(spec.flags).map(([n, f]) => n.length + (f.type === 'string' ? 8 : 0)), 6) + 4;
  const lines = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `--${name}${flag.type === 'string' ? ' <value>' : ''}`;
    const def = flag.default !== undefined && flag.default !== false ? ` (default ${String(flag.default)})` : '';
    return `  ${left.padEnd(width)}${flag.description}${def}`;
  });
  return [
    `Usage: payment-auth ${spec.name} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...lines,
    `  ${'--help'.padEnd(width)}show this help`,
  ].join('\n');
}

/**
 * `--herd -1` as `--herd=-1`: a value flag followed by a negative number takes it as its value (the
 * range check then names the flag), where Node's parser would take it for an option of its own.
 */
function joinNegativeValues(spec: CommandSpec, argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.startsWith('--') ? spec.flags[arg.slice(2)] : undefined;
    const next = argv[i + 1];
    if (flag?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i += 1;
    } else {
      args.push(arg);
    }
  }
  return args;
}

/** Parses `argv` against a command's flags; unknown flags and bad numbers throw {@link UsageError}. */
export function parseFlags(spec: CommandSpec, argv: string[]): Record<string, string | boolean | number | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(spec, argv),
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(Object.entries(spec.flags).map(([n, f]) => [n, { type: f.type }])),
      },
    });
  } catch (error) {
    // Node's message runs to several lines of advice for its own API: the first says what is wrong.
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const values: Record<string, string | boolean | number | undefined> = { help: parsed.values.help === true };
  for (const [name, flag] of Object.entries(spec.flags)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[name] ?? flag.default;
    if (flag.integer && raw !== undefined) {
      const n = Number(raw);
      if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < flag.integer.min || n > flag.integer.max) {
        throw new UsageError(
          `--${name} must be an integer from ${flag.integer.min} to ${flag.integer.max}, got ${JSON.stringify(raw)}`,
        );
      }
      values[name] = n;
    } else {
      values[name] = raw;
    }
  }
  return values;
}

/**
 * An option mistake found by `attachPaymentAuth`, said in the command line's terms: its prefix
 * dropped and the option that fixes it named as the flag.
 */
export function attachUsageError(error: unknown): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  return new UsageError(
    message
      .replace(/^attachPaymentAuth: /, '')
      .replace('allowInsecureHttp: true', '--allow-insecure-http')
      .replace('the client certificate and key of the tls option', 'the files of --cert and --key'),
  );
}

/** The flag that lets a command reach an http: API that is not on loopback. */
export const ALLOW_INSECURE_HTTP: FlagSpec = {
  type: 'boolean',
  description: 'allow an http: URL that is not loopback (tokens and the secret travel in clear text)',
};
