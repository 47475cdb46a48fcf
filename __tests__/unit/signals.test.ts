import { getEventListeners } from 'node:events';
import { linkSignals, untilAborted } from '../../src/util/signals';

describe('untilAborted', () => {
  it('settles as the promise does and then removes its abort listener', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve('value'), controller.signal)).resolves.toBe('value');
    const failure = new Error('store down');
    await expect(untilAborted(Promise.reject(failure), controller.signal)).rejects.toBe(failure);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the reason of the signal that aborts first, leaving no listener on the signal', async () => {
    const controller = new AbortController();
    const waited = untilAborted(new Promise<never>(() => undefined), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(waited).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with the reason of a signal that has already aborted', async () => {
    const reason = new Error('detached');
    await expect(untilAborted(Promise.resolve('late'), AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('linkSignals', () => {
  it('aborts with the reason of the source that aborts, and stops listening to every source', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals([a.signal, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    const reason = new Error('b aborted');
    b.abort(reason);
    expect(linked.signal.reason).toBe(reason);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });

  it('stops listening to its sources on dispose', () => {
    const a = new AbortController();
    linkSignals([a.signal]).dispose();
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });
});
