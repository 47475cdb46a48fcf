import { PaymentAuthError } from '../../src/errors/payment-auth-error';
import { normalizeBreaker } from '../../src/options/breaker-options';
import { isRejection, RejectionHold } from '../../src/token/rejection-hold';

const creds = { clientId: 'client-1', clientSecret: 'secret-1' };
const rejected = new PaymentAuthError({
  code: 'CREDENTIALS_REJECTED',
  message: 'Token request to https://auth.test/token rejected with 401 invalid_client',
  hint: 'check clientId and clientSecret',
  status: 401,
  oauthError: 'invalid_client',
});

function setup(options: Parameters<typeof normalizeBreaker>[0] = { coolDownMs: 1000, maxCoolDownMs: 5000 }) {
  let now = 5_000_000;
  const hold = new RejectionHold(normalizeBreaker(options), () => now);
  return { hold, advance: (ms: number) => void (now += ms) };
}

describe('isRejection', () => {
  it('is a refusal of the token endpoint, not an outage or a local failure', () => {
    for (const code of [
      'CREDENTIALS_REJECTED',
      'TOKEN_REQUEST_REJECTED',
      'TOKEN_ENDPOINT_REDIRECT',
      'TOKEN_RESPONSE_INVALID',
    ] as const)
      expect(isRejection(new PaymentAuthError({ code, message: 'x' }))).toBe(true);
    for (const code of [
      'TOKEN_ENDPOINT_UNAVAILABLE',
      'TOKEN_ENDPOINT_TIMEOUT',
      'CREDENTIALS_MISSING',
      'DETACHED',
    ] as const)
      expect(isRejection(new PaymentAuthError({ code, message: 'x' }))).toBe(false);
    expect(isRejection({ code: 'CREDENTIALS_REJECTED' })).toBe(false);
  });
});

describe('RejectionHold', () => {
  it('answers the same credentials at once with the same error and the pause left, then lets them through', () => {
    const { hold, advance } = setup();
    expect(hold.check(creds)).toBeUndefined();
    hold.rejected(creds, rejected);
    expect(hold.check(creds)).toBeUndefined(); // once may be a passing fault: asked again at once
    hold.rejected(creds, rejected);
    advance(300);
    const held = hold.check({ ...creds })!;
    expect(held).toBeInstanceOf(PaymentAuthError);
    expect(held).toMatchObject({
      code: 'CREDENTIALS_REJECTED',
      status: 401,
      oauthError: 'invalid_client',
      retryAfterMs: 700,
      hint: 'check clientId and clientSecret',
      cause: rejected,
    });
    expect(held.message).toBe(
      'Token request to https://auth.test/token rejected with 401 invalid_client; the same request is not sent again for 700 ms. check clientId and clientSecret',
    );
    expect(hold.retryInMs()).toBe(700);
    advance(699);
    expect(hold.check(creds)?.retryAfterMs).toBe(1);
    advance(1);
    expect(hold.check(creds)).toBeUndefined();
    expect(hold.retryInMs()).toBeUndefined();
  });

  it('pauses from the second rejection of the same credentials in a row, doubling up to the cap', () => {
    const { hold, advance } = setup();
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      hold.rejected(creds, rejected);
      pauses.push(hold.retryInMs() ?? 0);
      advance(hold.retryInMs() ?? 0);
    }
    expect(pauses).toEqual([0, 1000, 2000, 4000, 5000]);
  });

  it('lets other credentials through at once (a rotated secret), and starts their pause afresh', () => {
    const { hold } = setup();
    hold.rejected(creds, rejected);
    hold.rejected(creds, rejected);
    expect(hold.check({ ...creds, clientSecret: 'secret-2' })).toBeUndefined();
    expect(hold.check({ ...creds, clientId: 'client-2' })).toBeUndefined();
    hold.rejected({ ...creds, clientSecret: 'secret-2' }, rejected);
    expect(hold.retryInMs()).toBeUndefined();
    hold.rejected({ ...creds, clientSecret: 'secret-2' }, rejected);
    expect(hold.retryInMs()).toBe(1000);
    expect(hold.check(creds)).toBeUndefined(); // only the newest rejection is held
  });

  it('forgets everything once a token was obtained', () => {
    const { hold } = setup();
    hold.rejected(creds, rejected);
    hold.rejected(creds, rejected);
    hold.clear();
    expect(hold.check(creds)).toBeUndefined();
    hold.rejected(creds, rejected);
    expect(hold.retryInMs()).toBeUndefined();
  });

  it('holds nothing with breaker: false', () => {
    const { hold } = setup(false);
    hold.rejected(creds, rejected);
    hold.rejected(creds, rejected);
    expect(hold.check(creds)).toBeUndefined();
    expect(hold.retryInMs()).toBeUndefined();
  });

  it('keeps a message without a hint whole', () => {
    const { hold } = setup();
    const invalid = new PaymentAuthError({ code: 'TOKEN_RESPONSE_INVALID', message: 'no token. really' });
    hold.rejected(creds, invalid);
    hold.rejected(creds, invalid);
    expect(hold.check(creds)!.message).toBe('no token. really; the same request is not sent again for 1 s');
  });
});
