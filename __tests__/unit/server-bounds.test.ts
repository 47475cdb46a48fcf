import { isPaymentAuthError } from '../../src/errors/payment-auth-error';
import { MAX_REFRESH_TOKEN_LIFETIME_MS, TokenAcquisition } from '../../src/token/acquisition';
import type { CredentialSource } from '../../src/token/credential-source';
import type { Reporter } from '../../src/observability/reporter';
import type { TokenEndpoint } from '../../src/token/endpoint';
import { ServerClock } from '../../src/token/server-clock';
import { createTimerGroup } from '../../src/util/timers';
import { MAX_TOKEN_LENGTH, parseExpiresIn, toTokenGrant } from '../../src/token/token-response';

// Every number and string a server sends is bounded before it is kept: a token too long for a
// header would be cached and then fail every call with 431; a lifetime of 1e306 ms is Infinity
// once added to a date, which a token store refuses.

describe('token length', () => {
  it.each([
    ['access_token', { access_token: 'a'.repeat(MAX_TOKEN_LENGTH + 1) }],
    ['refresh_token', { access_token: 'at', refresh_token: 'r'.repeat(MAX_TOKEN_LENGTH + 1) }],
  ])('refuses a %s over the bound with TOKEN_RESPONSE_INVALID', (field, body) => {
    let error: unknown;
    try {
      toTokenGrant({ token_type: 'Bearer', ...body });
    } catch (e) {
      error = e;
    }
    expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect((error as Error).message).toContain(`${field} is longer than ${MAX_TOKEN_LENGTH}`);
  });

  it('accepts a token of exactly the bound (a large JWT)', () => {
    expect(toTokenGrant({ access_token: 'a'.repeat(MAX_TOKEN_LENGTH), token_type: 'Bearer' }).accessToken).toHaveLength(
      MAX_TOKEN_LENGTH,
    );
  });
});

describe('lifetimes sent by the server', () => {
  const acquisition = (grant: { refreshExpiresInS?: number; expiresInS?: number }) => {
    const endpoint: TokenEndpoint = {
      clientCredentials: async () => ({
        accessToken: 'at',
        expiresInS: grant.expiresInS,
        refreshToken: 'rt',
        refreshExpiresInS: grant.refreshExpiresInS,
      }),
      refresh: async () => {
        throw new Error('not used');
      },
    };
    const reporter = { log: () => undefined } as unknown as Reporter;
    const source = {
      dynamic: false,
      get: async () => ({ clientId: 'c', clientSecret: 's' }),
      knownSecrets: () => [],
    } as CredentialSource;
    const options = {
      tokenUrl: 'https://auth.test/token',
      refreshUrl: undefined,
      refreshWindowMs: 60_000,
      refreshTokenLifetimeMs: 86_400_000,
      defaultTokenLifetimeMs: 900_000,
      maxTokenLifetimeMs: 86_400_000,
      clock: () => 1000,
    };
    return new TokenAcquisition(options, source, endpoint, reporter).fetch(
      { clientId: 'c', clientSecret: 's' },
      undefined,
      { signal: new AbortController().signal, timers: createTimerGroup(), remainingMs: () => 10_000 },
    );
  };

  it.each([1e306, Number.MAX_VALUE, 1e20])('clamps refresh_expires_in %p to a finite bound', async (seconds) => {
    const { token } = await acquisition({ refreshExpiresInS: seconds });
    expect(Number.isFinite(token.refreshExpiresAt)).toBe(true);
    expect(token.refreshExpiresAt).toBe(1000 + MAX_REFRESH_TOKEN_LIFETIME_MS);
  });

  it.each([-5, 0])('clamps refresh_expires_in %p to "already expired", not before it was issued', async (seconds) => {
    const { token } = await acquisition({ refreshExpiresInS: seconds });
    expect(token.refreshExpiresAt).toBe(1000);
  });

  it('clamps expires_in 1e306 to maxTokenLifetimeMs', async () => {
    const { token } = await acquisition({ expiresInS: 1e306 });
    expect(token.expiresAt).toBe(1000 + 86_400_000);
  });
});

describe('numeric text from the server', () => {
  // The old pattern backtracked quadratically: 60,000 digits and a letter blocked the event loop
  // for seconds, far past tokenTimeoutMs; 200,000 would block it for minutes.
  it.each([
    ['200,000 digits and a letter', `${'9'.repeat(200_000)}x`],
    ['200,000 digits', '9'.repeat(200_000)],
    ['a long decimal', `1.${'0'.repeat(200_000)}`],
  ])('refuses %s at once', (_name, text) => {
    expect(() => parseExpiresIn(text)).toThrow(/expires_in is not a finite number/);
    expect(() => parseExpiresIn(text, 'refresh_expires_in')).toThrow(/refresh_expires_in/);
  });

  it.each([
    ['900', 900],
    [' 900 ', 900],
    ['1e3', 1000],
    ['-5', -5],
    ['.5', 0.5],
    ['7.', 7],
  ])('still reads %p', (text, value) => {
    expect(parseExpiresIn(text)).toBe(value);
  });
});

describe("the largest offset learned from the token endpoint's Date header", () => {
  // A Date header names a whole second; the answer is taken as written half a second in, halfway
  // through the call. Sent and received at `wall`, a header of `date` shows `date + 500 - wall`.
  const date = Date.parse('2026-11-28T12:00:00Z');
  const header = new Date(date).toUTCString();
  const maxMs = 600_000;

  it('learns an offset of exactly the limit', () => {
    const wall = date + 500 - maxMs;
    const clock = new ServerClock(() => wall, undefined, maxMs);
    expect(clock.learn(header, wall, wall)).toBe(true);
    expect(clock.offsetMs).toBe(maxMs);
    expect(clock.untrustedOffsetMs).toBeUndefined();
  });

  it('refuses an offset one millisecond beyond the limit, and keeps it for the hint', () => {
    const wall = date + 500 - maxMs - 1;
    const clock = new ServerClock(() => wall, undefined, maxMs);
    expect(clock.learn(header, wall, wall)).toBe(false);
    expect(clock.offsetMs).toBe(0);
    expect(clock.untrustedOffsetMs).toBe(maxMs + 1);
  });
});
