import { startPaymentSandbox } from '../testing';
import { isLoopbackAddress } from '../util/urls';
import { parseFlags, usage, UsageError, type CommandSpec } from './args';
import type { Io } from './io';
import { plural } from './plural';

export const sandboxSpec: CommandSpec = {
  name: 'sandbox',
  headline: 'Runs the Payment API sandbox on loopback until Ctrl-C.',
  summary: 'Runs the Payment API sandbox on loopback until Ctrl-C, and prints its URL and credentials.',
  flags: {
    port: {
      type: 'string',
      description: 'port to listen on (0 picks a free one)',
      integer: { min: 0, max: 65535 },
      default: '0',
    },
    host: { type: 'string', description: 'loopback address to listen on', default: '127.0.0.1' },
    'access-ttl': {
      type: 'string',
      description: 'access token lifetime in seconds',
      integer: { min: 1, max: 86_400 },
      default: '900',
    },
    'refresh-ttl': {
      type: 'string',
      description: 'refresh token lifetime in seconds',
      integer: { min: 1, max: 2_592_000 },
      default: '86400',
    },
    'client-id': { type: 'string', description: 'client id of the default client (random if omitted)' },
    'client-secret': { type: 'string', description: 'client secret of the default client (random if omitted)' },
    dpop: { type: 'boolean', description: 'issue DPoP-bound tokens and check a proof on every call (RFC 9449)' },
    'dpop-nonce': { type: 'boolean', description: 'with --dpop: require server nonces in the proofs' },
  },
};

/** `payment-auth sandbox`: resolves once the sandbox stopped (on SIGINT or SIGTERM). */
export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseFlags(sandboxSpec, argv);
  if (flags.help) {
    io.out(usage(sandboxSpec));
    return 0;
  }
  for (const name of ['client-id', 'client-secret'] as const) {
    const value = flags[name];
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${name} must not be blank`);
  }
  const host = flags.host as string;
  if (!isLoopbackAddress(host))
    throw new UsageError(
      `--host must be a loopback address (127.0.0.1, ::1 or localhost), got ${JSON.stringify(host)}`,
    );
  const port = flags.port as number;
  if (flags['dpop-nonce'] && !flags.dpop) throw new UsageError('--dpop-nonce needs --dpop');
  const dpop = flags.dpop ? (flags['dpop-nonce'] ? ('require-nonce' as const) : true) : false;
  const sandbox = await startPaymentSandbox({
    dpop,
    port,
    host,
    accessTokenTtlS: flags['access-ttl'] as number,
    refreshTokenTtlS: flags['refresh-ttl'] as number,
    credentials: {
      clientId: flags['client-id'] as string | undefined,
      clientSecret: flags['client-secret'] as string | undefined,
    },
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new Error(
        `port ${port} on ${host} is in use (EADDRINUSE): pick another with --port, or --port 0 for a free one`,
      );
    if (error.code === 'EACCES')
      throw new Error(`port ${port} needs privileges this process lacks (EACCES): use a port above 1023, or --port 0`);
    throw error;
  });
  io.out(`Payment API sandbox listening on ${sandbox.url}`);
  io.out('');
  // Quoted for a POSIX shell: `eval` of these lines sets the values, whatever characters they hold.
  io.out(`export PAYMENT_API_URL=${shellQuote(`${sandbox.url}/api/v1`)}`);
  io.out(`export PAYMENT_CLIENT_ID=${shellQuote(sandbox.credentials.clientId)}`);
  io.out(`export PAYMENT_CLIENT_SECRET=${shellQuote(sandbox.credentials.clientSecret)}`);
  io.out('');
  if (dpop)
    io.out(
      `DPoP: tokens are bound to the client's key${dpop === 'require-nonce' ? ', proofs must carry the server nonce' : ''}; attach with { dpop: true }.`,
    );
  io.out('Press Ctrl-C to stop.');
  await io.untilSignal();
  await sandbox.close();
  const c = sandbox.counters();
  io.out(
    `Stopped. ${plural(c.tokenCalls, 'token call')}, ${plural(c.refreshCalls, 'refresh call')}, ${plural(c.apiCalls, 'API call')}, ${plural(c.paymentsCreated, 'payment')} created.`,
  );
  return 0;
}

/** `value` as one word of a POSIX shell: in single quotes, each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
