import { PaymentAuthError } from '../../src/errors/payment-auth-error';
import { normalizeBreaker } from '../../src/options/breaker-options';
import type { FleetGate } from '../../src/store/fleet-gate';
import { isOutage, TokenEndpointBreaker } from '../../src/token/breaker';
import { unreachableError, withRetryAfter, withTenant } from '../../src/token/errors';
import { MAX_TIMER_MS } from '../../src/util/timers';

/** A gate as one store holds it for several owners, on the test's clock (taken afresh by its holder, as `createFleetGate` does). */
function sharedLock(clock: () => number) {
  let holder: { owner: string; until: number } | undefined;
  const calls: string[] = [];
  const gate = (owner: string): FleetGate => ({
    async take(ttlMs) {
      calls.push(`${owner} take ${ttlMs}`);
      if (holder && holder.until > clock() && holder.owner !== owner) return false;
      holder = { owner, until: clock() + ttlMs };
      return true;
    },
    async release() {
      calls.push(`${owner} release`);
      if (holder?.owner === owner) holder = undefined;
    },
  });
  return { gate, calls, held: () => (holder && holder.until > clock() ? holder : undefined) };
}

const outage = (retryAfterMs?: number) =>
  new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: 'Token endpoint answered 503',
    status: 503,
    retryAfterMs,
  });

function setup(options: Parameters<typeof normalizeBreaker>[0] = {}, random = () => 1 - Number.EPSILON) {
  let now = 1_000_000;
  const clock = () => now;
  const events: [string, Record<string, unknown>, number | undefined][] = [];
  /** The log lines, as `reporter.breakerState` writes them. */
  const messages: string[] = [];
  const reporter = {
    breakerState: (state: string, message: string, f: Record<string, unknown>, o?: number) => {
      events.push([state, f, o]);
      messages.push(message);
    },
  };
  const breaker = new TokenEndpointBreaker(normalizeBreaker(options), clock, reporter, random);
  const lock = sharedLock(clock);
  return { breaker, gate: lock.gate('a'), lock, events, messages, advance: (ms: number) => void (now += ms), clock };
}

/** Draws `values` in turn, then the top of the range (the cool-down's ceiling). */
const draws =
  (...values: number[]) =>
  () =>
    values.shift() ?? 1 - Number.EPSILON;

describe('isOutage', () => {
  it('is an unavailable or timed-out token endpoint, nothing else', () => {
    expect(isOutage(outage())).toBe(true);
    expect(isOutage(new PaymentAuthError({ code: 'TOKEN_ENDPOINT_TIMEOUT', message: 'x' }))).toBe(true);
    for (const code of [
      'CREDENTIALS_REJECTED',
      'TOKEN_REQUEST_REJECTED',
      'TOKEN_RESPONSE_INVALID',
      'DETACHED',
    ] as const)
      expect(isOutage(new PaymentAuthError({ code, message: 'x' }))).toBe(false);
    expect(isOutage(Object.assign(new Error('x'), { code: 'TOKEN_ENDPOINT_UNAVAILABLE' }))).toBe(false);
  });

  it("stays what it was in the error's copies: with when to ask again, with the tenant", () => {
    const down = unreachableError('ECONNREFUSED', 'https://as.example/token');
    const untrusted = unreachableError('SELF_SIGNED_CERT_IN_CHAIN', 'https://as.example/token');
    expect([isOutage(down), isOutage(untrusted)]).toEqual([true, false]);
    for (const copy of [
      (e: PaymentAuthError) => withRetryAfter(e, 500),
      (e: PaymentAuthError) => withTenant(e, 't1'),
    ]) {
      expect([isOutage(copy(down)), isOutage(copy(untrusted))]).toEqual([true, false]);
    }
    expect(withTenant(withRetryAfter(down, 500), 't1')).toMatchObject({ retryAfterMs: 500, tenant: 't1' });
    expect(withRetryAfter(withTenant(down, 't1'), 700)).toMatchObject({ retryAfterMs: 700, tenant: 't1' });
  });
});

describe('TokenEndpointBreaker', () => {
  it('stays closed below the threshold, and a failed background renewal waits one cool-down', async () => {
    const { breaker, gate, lock, events, advance } = setup({ failureThreshold: 3, coolDownMs: 1000 });
    await breaker.failed(outage(), gate);
    expect(breaker.state()).toBe('closed');
    expect(await breaker.admit(gate)).toBe('call'); // requests that need a token still call
    expect(breaker.allowsBackground()).toBe(false);
    advance(999);
    expect(breaker.allowsBackground()).toBe(false);
    advance(1);
    expect(breaker.allowsBackground()).toBe(true);
    await breaker.failed(outage(), gate); // the second: twice as long
    advance(1999);
    expect(breaker.allowsBackground()).toBe(false);
    advance(1);
    expect(breaker.allowsBackground()).toBe(true);
    expect(events).toEqual([]);
    // After the first failure, the call took the fleet gate, and gave it back on failing below the threshold.
    expect(lock.calls).toEqual(['a take 2000', 'a release']);
    expect(breaker.status()).toEqual({
      state: 'closed',
      consecutiveFailures: 2,
      retryInMs: undefined,
      openForMs: undefined,
    });
  });

  it('opens at once when a call after a failure finds the gate held: the fleet is cooling down', async () => {
    const { breaker, lock, events } = setup({ failureThreshold: 5, coolDownMs: 1000 });
    expect(await breaker.admit(lock.gate('a'))).toBe('call'); // no failure yet: no store call
    expect(lock.calls).toEqual([]);
    await breaker.failed(outage(), lock.gate('a'));
    await lock.gate('b').take(5000);
    await expect(breaker.admit(lock.gate('a'))).rejects.toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      retryAfterMs: 1000,
    });
    expect(breaker.status()).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    expect(events).toEqual([['open', { consecutiveFailures: 2, gateHeld: true }, undefined]]);
  });

  it('opens at the threshold for one cool-down, and takes the fleet gate for it', async () => {
    const { breaker, gate, lock, events, advance } = setup({ failureThreshold: 2, coolDownMs: 1000 });
    await breaker.failed(outage(), gate);
    await breaker.failed(outage(), gate);
    expect(breaker.state()).toBe('open');
    expect(breaker.isOpen()).toBe(true);
    expect(lock.calls).toEqual(['a take 1000']);
    expect(events).toEqual([['open', { consecutiveFailures: 2, retryInMs: 1000 }, undefined]]);
    const error = breaker.openError();
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503, retryAfterMs: 1000 });
    expect(error.message).toContain(
      'Token acquisition failed at once, without a call: the circuit breaker is open for 1 s after 2 failures in a row (the last: Token endpoint answered 503)',
    );
    expect(error.cause).toBeInstanceOf(PaymentAuthError);
    await expect(breaker.admit(gate)).rejects.toMatchObject({ retryAfterMs: 1000 });
    advance(400);
    expect(breaker.status()).toEqual({ state: 'open', consecutiveFailures: 2, retryInMs: 600, openForMs: 400 });
    advance(600);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.status().retryInMs).toBe(0);
  });

  it('lets one probe through after the cool-down; a failed probe doubles it, up to the cap', async () => {
    const { breaker, gate, lock, events, advance } = setup({
      failureThreshold: 1,
      coolDownMs: 1000,
      maxCoolDownMs: 5000,
    });
    await breaker.failed(outage(), gate);
    const coolDowns: number[] = [];
    for (let i = 0; i < 5; i++) {
      advance(breaker.status().retryInMs!);
      expect(await breaker.admit(gate)).toBe('probe');
      await breaker.failed(outage(), gate);
      coolDowns.push(breaker.status().retryInMs!);
    }
    expect(coolDowns).toEqual([2000, 4000, 5000, 5000, 5000]);
    // Taken by each probe for its cool-down, then again for the same cool-down from its failure.
    expect(lock.calls.slice(0, 5)).toEqual(['a take 1000', 'a take 2000', 'a take 2000', 'a take 4000', 'a take 4000']);
    expect(events.map(([state]) => state)).toEqual(['open', ...Array(5).fill(['half-open', 'open']).flat()]);
  });

  it("holds the gate through a probe longer than the cool-down, then for the cool-down from the probe's failure", async () => {
    const { breaker, lock, advance, clock } = setup({ failureThreshold: 1, coolDownMs: 1000, maxCoolDownMs: 1000 });
    const a = lock.gate('a');
    await breaker.failed(outage(), a);
    advance(1000);
    expect(await breaker.admit(a, 10_000)).toBe('probe');
    expect(lock.held()).toEqual({ owner: 'a', until: clock() + 11_000 });
    expect(breaker.holdsGate).toBe(true); // detach() during the probe gives it back
    advance(5000); // the probe is slow: another process still finds the gate held
    expect(await lock.gate('b').take(1000)).toBe(false);
    await breaker.failed(outage(), a);
    expect(lock.held()).toEqual({ owner: 'a', until: clock() + 1000 });
    advance(1000);
    expect(await lock.gate('b').take(1000)).toBe(true);
  });

  it('needs the gate once a call has failed, unless open or turned off', async () => {
    const { breaker, gate, advance } = setup({ failureThreshold: 2, coolDownMs: 1000 });
    expect(breaker.needsGate()).toBe(false);
    await breaker.failed(outage(), gate);
    expect(breaker.needsGate()).toBe(true); // closed, one failure
    expect(await breaker.admit(gate)).toBe('call');
    await breaker.failed(outage(), gate);
    expect(breaker.needsGate()).toBe(false); // open
    advance(1000);
    expect(breaker.needsGate()).toBe(true); // half-open
    const off = setup(false);
    await off.breaker.failed(outage(), off.gate);
    expect(off.breaker.needsGate()).toBe(false);
  });

  it('closes on the first success, gives the gate back and says how long it was open', async () => {
    const { breaker, gate, lock, events, advance } = setup({ failureThreshold: 1 });
    await breaker.failed(outage(), gate);
    advance(1000);
    expect(await breaker.admit(gate)).toBe('probe');
    advance(30);
    await breaker.succeeded(gate);
    expect(breaker.status()).toEqual({
      state: 'closed',
      consecutiveFailures: 0,
      retryInMs: undefined,
      openForMs: undefined,
    });
    expect(lock.held()).toBeUndefined();
    expect(lock.calls.at(-1)).toBe('a release');
    expect(events.at(-1)).toEqual(['closed', { openForMs: 1030 }, 1030]);
    expect(breaker.allowsBackground()).toBe(true);
    expect(await breaker.admit(gate)).toBe('call');
  });

  it('leaves the gate alone on a success while closed', async () => {
    const { breaker, gate, lock, events } = setup();
    await breaker.failed(outage(), gate);
    await breaker.succeeded(gate);
    expect(lock.calls).toEqual([]);
    expect(events).toEqual([]);
    expect(breaker.allowsBackground()).toBe(true);
  });

  it('stays open, and waits longer, while another process holds the gate', async () => {
    const { breaker, lock, events, advance } = setup({ failureThreshold: 1, coolDownMs: 1000 });
    const other = lock.gate('b');
    await other.take(6000); // another process is cooling down after its probe
    await breaker.failed(outage(), lock.gate('a'));
    advance(1000);
    await expect(breaker.admit(lock.gate('a'))).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    expect(breaker.status()).toEqual({ state: 'open', consecutiveFailures: 2, retryInMs: 2000, openForMs: 1000 });
    // Still the same opening: not reported again, and open since the first failure.
    expect(events).toEqual([['open', { consecutiveFailures: 1, retryInMs: 1000 }, undefined]]);
    advance(2000);
    await expect(breaker.admit(lock.gate('a'))).rejects.toMatchObject({ retryAfterMs: 4000 });
    advance(4000);
    expect(await breaker.admit(lock.gate('a'))).toBe('probe'); // the other's cool-down has ended
  });

  it("opens at once for a Retry-After, for as long as it says (up to the cap), and the fleet's gate too", async () => {
    const { breaker, gate, lock, events, advance } = setup({ failureThreshold: 5, maxCoolDownMs: 20_000 });
    await breaker.failed(outage(7000), gate);
    expect(breaker.status()).toMatchObject({ state: 'open', consecutiveFailures: 1, retryInMs: 7000 });
    expect(lock.calls).toEqual(['a take 7000']);
    expect(events[0]).toEqual(['open', { consecutiveFailures: 1, retryInMs: 7000, retryAfterMs: 7000 }, undefined]);
    advance(7000);
    expect(await breaker.admit(gate)).toBe('probe');
    await breaker.failed(outage(60_000), gate);
    expect(breaker.status().retryInMs).toBe(20_000);
    // The gate was taken for the doubled cool-down; the server asked for longer: taken again for that.
    expect(lock.calls).toEqual(['a take 7000', 'a take 2000', 'a take 20000']);
    expect(lock.held()).toMatchObject({ owner: 'a' });
  });

  it('does not open for a Retry-After of 0 (the server says: at once)', async () => {
    const { breaker, gate } = setup({ failureThreshold: 3 });
    await breaker.failed(outage(0), gate);
    expect(breaker.state()).toBe('closed');
  });

  it('gives the gate back when a probe ends with neither (a rejection, detach)', async () => {
    const { breaker, gate, lock, advance } = setup({ failureThreshold: 1 });
    await breaker.failed(outage(), gate);
    advance(1000);
    await breaker.admit(gate);
    await breaker.released(gate);
    expect(lock.held()).toBeUndefined();
    expect(breaker.state()).toBe('half-open'); // still not known to work
    await breaker.released(gate); // no probe: nothing to give back
    expect(lock.calls.filter((c) => c.endsWith('release'))).toHaveLength(1);
  });

  it('closes when another process stored a token after it opened, not for an older one', async () => {
    const { breaker, gate, events, advance, clock } = setup({ failureThreshold: 1 });
    const before = clock() - 1;
    await breaker.failed(outage(), gate);
    breaker.recovered(before);
    breaker.recovered(clock());
    expect(breaker.state()).toBe('open');
    advance(10);
    breaker.recovered(clock());
    expect(breaker.state()).toBe('closed');
    expect(events.at(-1)).toEqual(['closed', { openForMs: 10 }, 10]);
  });

  it('jitters every cool-down into its upper half', async () => {
    const low = setup({ failureThreshold: 1, coolDownMs: 1000 }, () => 0);
    await low.breaker.failed(outage(), low.gate);
    expect(low.breaker.status().retryInMs).toBe(500);
    const mid = setup({ failureThreshold: 1, coolDownMs: 1000 }, () => 0.5);
    await mid.breaker.failed(outage(), mid.gate);
    expect(mid.breaker.status().retryInMs).toBe(750);
  });

  it('reports each change of state with the line its log shows, and the open time from the first opening', async () => {
    const { breaker, gate, events, messages, advance } = setup({ failureThreshold: 1, coolDownMs: 1000 });
    await breaker.failed(outage(), gate);
    advance(1000);
    expect(await breaker.admit(gate)).toBe('probe');
    advance(200); // a slow probe, that fails
    await breaker.failed(outage(), gate);
    expect(breaker.status()).toEqual({ state: 'open', consecutiveFailures: 2, retryInMs: 2000, openForMs: 1200 });
    advance(2000);
    expect(await breaker.admit(gate)).toBe('probe');
    advance(100);
    await breaker.succeeded(gate);
    // Strictly: no `retryAfterMs` field at all when the server sent no Retry-After.
    expect(events).toStrictEqual([
      ['open', { consecutiveFailures: 1, retryInMs: 1000 }, undefined],
      ['half-open', { consecutiveFailures: 1 }, undefined],
      ['open', { consecutiveFailures: 2, retryInMs: 2000 }, undefined],
      ['half-open', { consecutiveFailures: 2 }, undefined],
      ['closed', { openForMs: 3300 }, 3300],
    ]);
    expect(messages).toEqual([
      'token endpoint breaker open: requests that need a token fail at once',
      'token endpoint breaker half-open: one call tests the token endpoint',
      'token endpoint breaker open again: the probe failed',
      'token endpoint breaker half-open: one call tests the token endpoint',
      'token endpoint breaker closed: the token endpoint answered',
    ]);

    const other = setup({ failureThreshold: 1 });
    await other.breaker.failed(outage(), other.gate);
    other.advance(10);
    other.breaker.recovered(other.clock());
    expect(other.messages.at(-1)).toBe('token endpoint breaker closed: another process got a token');
  });

  it('holds the fleet gate from its opening to the end of its cool-down, not after, and not while closed', async () => {
    // What detach() relies on to give the gate back only while the fleet may still be waiting on it.
    const { breaker, gate, lock, advance } = setup({ failureThreshold: 3, coolDownMs: 1000 });
    expect(breaker.holdsGate).toBe(false);
    await breaker.failed(outage(), gate); // below the threshold: no gate taken
    expect(breaker.holdsGate).toBe(false);
    expect(await breaker.admit(gate)).toBe('call'); // after a failure: through the gate
    expect(breaker.holdsGate).toBe(true);
    await breaker.failed(outage(), gate); // still below the threshold: the gate is given back
    expect(lock.held()).toBeUndefined();
    expect(breaker.holdsGate).toBe(false);
    expect(await breaker.admit(gate)).toBe('call');
    await breaker.failed(outage(), gate); // opens: the gate is taken for the cool-down
    expect(breaker.status()).toMatchObject({ state: 'open', retryInMs: 1000 });
    expect(breaker.holdsGate).toBe(true);
    advance(999);
    expect(breaker.holdsGate).toBe(true);
    advance(1); // the gate's TTL has run out: nothing to give back
    expect(breaker.holdsGate).toBe(false);
    expect(lock.held()).toBeUndefined();
  });

  it('closes for a token stored after the first failure, also once it opened on finding the gate held', async () => {
    const { breaker, gate, lock, advance, clock } = setup({ failureThreshold: 5 });
    await breaker.failed(outage(), gate);
    const firstFailure = clock();
    advance(10);
    await lock.gate('b').take(5000);
    await expect(breaker.admit(gate)).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    expect(breaker.state()).toBe('open');
    breaker.recovered(firstFailure + 5); // issued after the first failure: the endpoint worked since
    expect(breaker.status()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('cools down after a failed probe for exactly the time its gate was taken for (one jitter draw)', async () => {
    // The draws: the first cool-down (at its ceiling), the probe's (halfway up), then any other.
    const { breaker, gate, lock, advance } = setup(
      { failureThreshold: 1, coolDownMs: 1000 },
      draws(1 - Number.EPSILON, 0.5, 1 - Number.EPSILON),
    );
    await breaker.failed(outage(), gate);
    advance(1000);
    expect(await breaker.admit(gate)).toBe('probe');
    await breaker.failed(outage(), gate);
    expect(breaker.status().retryInMs).toBe(1500);
    expect(lock.calls).toEqual(['a take 1000', 'a take 1500', 'a take 1500']);
  });

  it('never opens with breaker: false, but background renewals still back off exponentially', async () => {
    const { breaker, gate, lock, events, advance } = setup(false);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      await breaker.failed(outage(i === 0 ? 3000 : undefined), gate);
      expect(breaker.state()).toBe('closed');
      expect(await breaker.admit(gate)).toBe('call');
      let waited = 0;
      for (; !breaker.allowsBackground(); waited++) advance(1);
      delays.push(waited);
    }
    expect(delays).toEqual([3000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(breaker.status().consecutiveFailures).toBe(7);
    expect(events).toEqual([]);
    expect(lock.calls).toEqual([]);
  });
});

describe('normalizeBreaker', () => {
  it('takes the largest values it allows', () => {
    expect(normalizeBreaker({ failureThreshold: 1000, coolDownMs: MAX_TIMER_MS, maxCoolDownMs: MAX_TIMER_MS })).toEqual(
      {
        enabled: true,
        failureThreshold: 1000,
        coolDownMs: MAX_TIMER_MS,
        maxCoolDownMs: MAX_TIMER_MS,
      },
    );
  });
});
