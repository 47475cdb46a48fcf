import { isPaymentAuthError } from '../errors/payment-auth-error';
import { VERSION } from '../util/version';
import { UsageError } from './args';
import { demoCommand, demoSpec } from './demo';
import { processIo, type Io } from './io';
import { sandboxCommand, sandboxSpec } from './sandbox-command';
import { tokenCommand, tokenSpec } from './token-command';

const COMMANDS = {
  demo: { spec: demoSpec, run: demoCommand },
  sandbox: { spec: sandboxSpec, run: sandboxCommand },
  token: { spec: tokenSpec, run: tokenCommand },
} as const;

const HELP = `Usage: payment-auth <command> [options]

Commands:
${Object.values(COMMANDS)
  .map(({ spec }) => `  ${spec.name.padEnd(9)}${spec.headline}`)
  .join('\n')}

Options:
  --version  print the version of axios-payment-auth
  --help     show this help

Run "payment-auth <command> --help" for the options of a command.`;

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`payment-auth (axios-payment-auth) ${VERSION}`);
    return 0;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) {
    io.err(`payment-auth: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`payment-auth ${name}: ${error.message}\nRun "payment-auth ${name} --help" for usage.`);
      return 2;
    }
    io.err(`payment-auth ${name}: ${isPaymentAuthError(error) ? `${error.code}: ` : ''}${(error as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`payment-auth: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
