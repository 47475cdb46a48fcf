import { getEventListeners } from 'node:events';
import { createTimerGroup, pendingTimers, sleep, startTimer, stopTimer, type Timer } from '../../src/util/timers';

/** Whether a timer keeps the event loop (and so the process) alive. */
const keepsAlive = (timer: Timer): boolean => timer.handle.hasRef();

describe('createTimerGroup', () => {
  const started: Timer[] = [];
  /** A timer of `group` that does not fire during the test; stopped after it. */
  const longTimer = (group: ReturnType<typeof createTimerGroup>): Timer => {
    const timer = startTimer(() => undefined, 60_000, group);
    started.push(timer);
    return timer;
  };
  afterEach(() => {
    for (const timer of started.splice(0)) stopTimer(timer);
  });

  it('does not keep the process alive for a timer of a group nobody holds', () => {
    const group = createTimerGroup();
    const timer = longTimer(group);
    expect(group.held).toBe(false);
    expect(keepsAlive(timer)).toBe(false);
  });

  it('keeps the process alive for a timer started while the group is held', () => {
    const group = createTimerGroup();
    group.hold();
    expect(keepsAlive(longTimer(group))).toBe(true);
  });

  it('makes the timers already in the group keep the process alive from the first hold on', () => {
    const group = createTimerGroup();
    const first = longTimer(group);
    const second = longTimer(group);
    group.hold();
    expect(group.held).toBe(true);
    expect([keepsAlive(first), keepsAlive(second)]).toEqual([true, true]);
  });

  it('lets the timers go once the last caller releases the group', () => {
    const group = createTimerGroup();
    const release = group.hold();
    const timer = longTimer(group);
    release();
    expect(group.held).toBe(false);
    expect(keepsAlive(timer)).toBe(false);
  });

  it('keeps the timers alive while any caller still holds the group', () => {
    const group = createTimerGroup();
    const timer = longTimer(group);
    const releaseA = group.hold();
    const releaseB = group.hold();
    releaseA();
    expect(group.held).toBe(true);
    expect(keepsAlive(timer)).toBe(true);
    releaseB();
    expect(group.held).toBe(false);
    expect(keepsAlive(timer)).toBe(false);
  });

  it('ends only its own wait when a release is called twice', () => {
    const group = createTimerGroup();
    const timer = longTimer(group);
    const releaseA = group.hold();
    group.hold();
    releaseA();
    releaseA();
    expect(group.held).toBe(true);
    expect(keepsAlive(timer)).toBe(true);
  });

  it('takes a stopped timer out of its group: a later hold does not ref it', () => {
    const group = createTimerGroup();
    const timer = longTimer(group);
    stopTimer(timer);
    group.hold();
    expect(keepsAlive(timer)).toBe(false);
  });

  it('takes a timer that fired out of its group: a later hold does not ref it', async () => {
    const group = createTimerGroup();
    let timer: Timer | undefined;
    await new Promise<void>((resolve) => {
      timer = startTimer(resolve, 0, group);
    });
    group.hold();
    expect(keepsAlive(timer!)).toBe(false);
  });
});

describe('sleep', () => {
  it('rejects with the reason of the signal that aborts it, leaving no listener and no timer behind', async () => {
    const before = pendingTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('detached');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(pendingTimers()).toBe(before);
  });

  it('removes its abort listener when the wait ends', async () => {
    const controller = new AbortController();
    await sleep(0, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
