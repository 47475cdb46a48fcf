import { startPaymentSandbox } from '../testing';
import { parseFlags, usage, type CommandSpec } from './args';
import type { Io } from './io';

export const sandboxSpec: CommandSpec = {
  name: 'sandbox',
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
  },
};

/** `payment-auth sandbox`: resolves once the sandbox stopped (on SIGINT or SIGTERM). */
export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseFlags(sandboxSpec, argv);
  if (flags.help) {
    io.out(usage(sandboxSpec));
    return 0;
  }
  const sandbox = await startPaymentSandbox({
    port: flags.port as number,
    host: flags.host as string,
    accessTokenTtlS: flags['access-ttl'] as number,
    refreshTokenTtlS: flags['refresh-ttl'] as number,
    credentials: {
      clientId: flags['client-id'] as string | undefined,
      clientSecret: flags['client-secret'] as string | undefined,
    },
  });
  io.out(`Payment API sandbox listening on ${sandbox.url}`);
  io.out('');
  io.out(`export PAYMENT_API_URL=${sandbox.url}/api/v1`);
  io.out(`export PAYMENT_CLIENT_ID=${sandbox.credentials.clientId}`);
  io.out(`export PAYMENT_CLIENT_SECRET=${sandbox.credentials.clientSecret}`);
  io.out('');
  io.out('Press Ctrl-C to stop.');
  await io.untilSignal();
  await sandbox.close();
  const c = sandbox.counters();
  io.out(
    `Stopped. ${c.tokenCalls} token calls, ${c.refreshCalls} refresh calls, ${c.apiCalls} API calls, ${c.paymentsCreated} payments created.`,
  );
  return 0;
}
