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

/** Parses `argv` against a command's flags; unknown flags and bad numbers throw {@link UsageError}. */
export function parseFlags(spec: CommandSpec, argv: string[]): Record<string, string | boolean | number | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(Object.entries(spec.flags).map(([n, f]) => [n, { type: f.type }])),
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
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
