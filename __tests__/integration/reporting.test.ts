import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h?.close();
});

describe('reporting', () => {
  it('prints nothing by default, on success or failure', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    const write = jest.spyOn(process.stderr, 'write');
    h = await startHarness();
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    h.sandbox.revokeRefreshTokens();
    await h.api.get('/payments');
    h.sandbox.injectFault('refresh', { status: 500 });
    h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } });
    h.auth.invalidate();
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('keeps serving requests when a hook or the logger throws', async () => {
    const boom = () => {
      throw new Error('hook bug');
    };
    h = await startHarness({
      onTokenAcquired: boom,
      onTokenRefreshed: boom,
      onAuthError: boom,
      logger: { debug: boom, info: boom, warn: boom, error: boom },
    });
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    h.sandbox.revokeAccessTokens();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
  });

  it('logs the lifecycle with structured fields', async () => {
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const logger = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [
        level,
        (m: string, f?: Record<string, unknown>) => lines.push([level, m, f]),
      ]),
    );
    h = await startHarness({ logger: logger as never });
    await h.api.get('/payments');
    h.sandbox.revokeAccessTokens();
    h.sandbox.revokeRefreshTokens();
    await h.api.get('/payments');
    expect(lines.map(([level, message]) => `${level} ${message}`)).toEqual([
      'debug axios-payment-auth: token acquired',
      'debug axios-payment-auth: 401 received, replaying the request once',
      'debug axios-payment-auth: access token rejected with 401, renewing',
      'warn axios-payment-auth: refresh failed, falling back to client_credentials',
      'debug axios-payment-auth: token acquired',
    ]);
    expect(lines[0]![2]).toMatchObject({
      grant: 'client_credentials',
      generation: 1,
      fallback: false,
      expiresInMs: 900_000,
      fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(lines[3]![2]).toEqual({ code: 'TOKEN_REQUEST_REJECTED', status: 401 });
    expect(lines[4]![2]).toMatchObject({ grant: 'client_credentials', generation: 2, fallback: true });
  });
});
