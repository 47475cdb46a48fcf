import { AxiosHeaders, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from '../../src/request/cancellation';

type Listener = (reason?: unknown) => void;

/** A request config with a signal and/or a CancelToken that keep count of their listeners. */
function request(sources: { signal?: boolean; cancelToken?: boolean } = { signal: true, cancelToken: true }) {
  const controller = new AbortController();
  const signalListeners = new Set<Listener>();
  const signal = {
    get aborted() {
      return controller.signal.aborted;
    },
    addEventListener(type: string, listener: Listener) {
      if (type !== 'abort') throw new Error(`unexpected event ${type}`);
      signalListeners.add(listener);
      controller.signal.addEventListener('abort', listener);
    },
    removeEventListener(type: string, listener: Listener) {
      if (type === 'abort') signalListeners.delete(listener);
      controller.signal.removeEventListener(type, listener);
    },
  };
  const tokenListeners = new Set<Listener>();
  const cancelToken = {
    reason: undefined as unknown,
    subscribe: (listener: Listener) => void tokenListeners.add(listener),
    unsubscribe: (listener: Listener) => void tokenListeners.delete(listener),
    cancel(reason: unknown) {
      this.reason = reason;
      for (const listener of [...tokenListeners]) listener(reason);
    },
  };
  const config = {
    headers: new AxiosHeaders(),
    ...(sources.signal ? { signal } : {}),
    ...(sources.cancelToken ? { cancelToken } : {}),
  } as unknown as InternalAxiosRequestConfig;
  return {
    abort: () => controller.abort(),
    config,
    cancelToken,
    listeners: () => signalListeners.size + tokenListeners.size,
  };
}

const forever = () => new Promise<never>(() => undefined);

describe('unlessCancelled', () => {
  it.each([
    ['a signal and a CancelToken', { signal: true, cancelToken: true }],
    ['a signal', { signal: true }],
    ['a CancelToken', { cancelToken: true }],
    ['neither', {}],
  ])('with %s, waits for the work and leaves no listener behind', async (_name, sources) => {
    const r = request(sources);
    await expect(unlessCancelled(async () => 'token', r.config)).resolves.toBe('token');
    expect(r.listeners()).toBe(0);
  });

  it.each([
    ['with a CancelToken too', { signal: true, cancelToken: true }],
    ['alone', { signal: true }],
  ])(
    'rejects with a CanceledError when the signal aborts (%s), releases the waiter, leaves no listener',
    async (_name, sources) => {
      const r = request(sources);
      const release = jest.fn();
      const waiting = unlessCancelled(() => ({ promise: forever(), release }), r.config);
      expect(r.listeners()).toBeGreaterThan(0);
      r.abort();
      await expect(waiting).rejects.toBeInstanceOf(CanceledError);
      expect(release).toHaveBeenCalledTimes(1);
      expect(r.listeners()).toBe(0);
    },
  );

  it.each([
    ['with a signal too', { signal: true, cancelToken: true }],
    ['alone', { cancelToken: true }],
  ])("rejects with the CancelToken's reason (%s) and leaves no listener", async (_name, sources) => {
    const r = request(sources);
    const waiting = unlessCancelled(forever, r.config);
    const reason = new CanceledError('stop');
    r.cancelToken.cancel(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(r.listeners()).toBe(0);
  });

  it('rejects with a CanceledError when the CancelToken cancels without a reason', async () => {
    const r = request({ cancelToken: true });
    const waiting = unlessCancelled(forever, r.config);
    r.cancelToken.cancel(undefined);
    await expect(waiting).rejects.toBeInstanceOf(CanceledError);
  });

  it('leaves no listener behind when the work throws before it starts', () => {
    const r = request();
    expect(() =>
      unlessCancelled(() => {
        throw new Error('clock failed');
      }, r.config),
    ).toThrow('clock failed');
    expect(r.listeners()).toBe(0);
  });

  it.each([
    ['an aborted signal', (r: ReturnType<typeof request>) => r.abort(), CanceledError],
    ['a cancelled CancelToken', (r: ReturnType<typeof request>) => r.cancelToken.cancel(new Error('gone')), Error],
  ])('does not start the work of a request with %s', async (_name, cancel, type) => {
    const r = request();
    cancel(r);
    const start = jest.fn(async () => 'token');
    await expect(unlessCancelled(start, r.config)).rejects.toBeInstanceOf(type);
    expect(start).not.toHaveBeenCalled();
  });

  it('waits for the work when the signal and the CancelToken have no methods to listen with', async () => {
    const config = {
      headers: new AxiosHeaders(),
      signal: { aborted: false },
      cancelToken: {},
    } as unknown as InternalAxiosRequestConfig;
    await expect(unlessCancelled(async () => 'token', config)).resolves.toBe('token');
  });
});
