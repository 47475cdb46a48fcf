import { MemoryTokenStore } from '../../src';
import { PaymentAuthError } from '../../src/errors/payment-auth-error';
import { createFleetGate } from '../../src/store/fleet-gate';
import type { StoreErrorConsequence, StoreUnavailable } from '../../src/store/store-unavailable';
import type { TokenStore } from '../../src/store/token-store';
import { createTimerGroup } from '../../src/util/timers';

function gateOn(store: TokenStore, owner: string, signal = new AbortController().signal) {
  const errors: StoreUnavailable[] = [];
  /** What the store warning says the package does instead. */
  const consequences: StoreErrorConsequence[] = [];
  const gate = createFleetGate({
    store,
    key: 'breaker:v1:k',
    owner,
    storeTimeoutMs: 50,
    timers: createTimerGroup(),
    signal,
    onStoreError: (error, consequence) => {
      errors.push(error);
      consequences.push(consequence);
    },
  });
  return { gate, errors, consequences };
}

describe('createFleetGate', () => {
  it('gives the right to one owner at a time, for its TTL, and takes it afresh for its holder', async () => {
    let now = 0;
    const store = new MemoryTokenStore(() => now);
    const a = gateOn(store, 'a').gate;
    const b = gateOn(store, 'b').gate;
    expect(await a.take(1000)).toBe(true);
    expect(await b.take(1000)).toBe(false);
    now = 999;
    expect(await a.take(1000)).toBe(true); // its own lock, a moment before it ends: taken again
    now = 1998;
    expect(await b.take(1000)).toBe(false);
    now = 1999;
    expect(await b.take(1000)).toBe(true);
    await a.release(); // not a's any more: stays b's
    expect(await a.take(1000)).toBe(false);
    await b.release();
    expect(await a.take(1000)).toBe(true);
  });

  it('lets every process decide alone when the store fails or hangs, and reports it', async () => {
    const failing: TokenStore = {
      get: async () => undefined,
      set: async () => undefined,
      tryLock: async () => {
        throw new Error('connection refused');
      },
      unlock: () => new Promise(() => undefined),
    };
    const { gate, errors, consequences } = gateOn(failing, 'a');
    expect(await gate.take(1000)).toBe(true);
    await gate.release();
    expect(errors.map((e) => e.message)).toEqual([
      'token store unlock failed: no answer in 50 ms',
      'token store lock failed: connection refused',
      'token store unlock failed: no answer in 50 ms',
    ]);
    // What the store warning says the package does instead.
    expect(consequences).toEqual([
      'the breaker gate expires on its own',
      'this process decides alone whether to call the token endpoint',
      'the breaker gate expires on its own',
    ]);
  });

  it('ends with the reason of the signal (detach), not as a store failure', async () => {
    const controller = new AbortController();
    const hanging: TokenStore = {
      get: async () => undefined,
      set: async () => undefined,
      tryLock: () => new Promise(() => undefined),
      unlock: async () => undefined,
    };
    const { gate, errors } = gateOn(hanging, 'a', controller.signal);
    const taking = gate.take(1000);
    const detached = new PaymentAuthError({ code: 'DETACHED', message: 'detached' });
    setTimeout(() => controller.abort(detached), 5);
    await expect(taking).rejects.toBe(detached);
    await gate.release(); // an aborted release is dropped quietly
    expect(errors).toEqual([]);
  });
});
