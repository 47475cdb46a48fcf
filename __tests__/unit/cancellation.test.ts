import { AxiosHeaders, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from '../../src/request/cancellation';

/** A signal and a CancelToken that count their listeners. */
function sources() {
  const controller = new AbortController();
  let signalListeners = 0;
  const signal = {
    get aborted() {
      return controller.signal.aborted;
    },
    addEventListener: (type: string, listener: () => void, options?: { once?: boolean }) => {
      signalListeners++;
      controller.signal.addEventListener(type, listener, options);
    },
    removeEventListener: (type: string, listener: () => void) => {
      signalListeners--;
      controller.signal.removeEventListener(type, listener);
    },
  };
  const tokenListeners = new Set<(reason: unknown) => void>();
  const cancelToken = {
    reason: undefined as unknown,
    subscribe: (listener: (reason: unknown) => void) => void tokenListeners.add(listener),
    unsubscribe: (listener: (reason: unknown) => void) => void tokenListeners.delete(listener),
    cancel(reason: unknown) {
      this.reason = reason;
      for (const listener of [...tokenListeners]) listener(reason);
    },
  };
  const config = { headers: new AxiosHeaders(), signal, cancelToken } as unknown as InternalAxiosRequestConfig;
  return { controller, config, cancelToken, listeners: () => signalListeners + tokenListeners.size };
}

describe('unlessCancelled', () => {
  it('waits for the work and leaves no listener behind', async () => {
    const s = sources();
    await expect(unlessCancelled(async () => 'token', s.config)).resolves.toBe('token');
    expect(s.listeners()).toBe(0);
  });

  it('rejects with a CanceledError at the abort, releases the waiter and leaves no listener', async () => {
    const s = sources();
    const release = jest.fn();
    const waiting = unlessCancelled(() => ({ promise: new Promise<never>(() => undefined), release }), s.config);
    s.controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CanceledError);
    expect(release).toHaveBeenCalledTimes(1);
    expect(s.listeners()).toBe(0);
  });

  it("rejects with the CancelToken's reason", async () => {
    const s = sources();
    const waiting = unlessCancelled(() => new Promise<never>(() => undefined), s.config);
    const reason = new CanceledError('stop');
    s.cancelToken.cancel(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(s.listeners()).toBe(0);
  });

  it('leaves no listener behind when the work throws before it starts', () => {
    const s = sources();
    expect(() =>
      unlessCancelled(() => {
        throw new Error('clock failed');
      }, s.config),
    ).toThrow('clock failed');
    expect(s.listeners()).toBe(0);
  });

  it('does not start the work of a request that is already cancelled', async () => {
    const s = sources();
    s.controller.abort();
    const start = jest.fn(async () => 'token');
    await expect(unlessCancelled(start, s.config)).rejects.toBeInstanceOf(CanceledError);
    expect(start).not.toHaveBeenCalled();
  });
});
