import { Readable } from 'node:stream';
import { releaseResponse } from '../../src/request/release-response';

describe('releaseResponse', () => {
  it('destroys a Node stream body', () => {
    const body = Readable.from(['chunk']);
    releaseResponse({ data: body });
    expect(body.destroyed).toBe(true);
  });

  it('cancels an unlocked web stream body', () => {
    const cancelled: unknown[] = [];
    const body = new ReadableStream({ cancel: (reason) => void cancelled.push(reason) });
    releaseResponse({ data: body });
    expect(cancelled).toHaveLength(1);
  });

  it('leaves a locked web stream body to whoever reads it', async () => {
    const body = new ReadableStream<string>({
      start: (controller) => {
        controller.enqueue('chunk');
        controller.close();
      },
    });
    const reader = body.getReader();
    const cancel = jest.spyOn(body, 'cancel');
    releaseResponse({ data: body });
    expect(cancel).not.toHaveBeenCalled();
    await expect(reader.read()).resolves.toEqual({ value: 'chunk', done: false });
  });

  it('does not destroy an object that has destroy() but is not a Node stream', () => {
    const destroy = jest.fn();
    releaseResponse({ data: { destroy } });
    expect(destroy).not.toHaveBeenCalled();
  });

  it.each([
    ['no response', undefined],
    ['no body', {}],
    ['a parsed JSON body', { data: { error: 'invalid_request' } }],
    ['a string body', { data: 'Bad Gateway' }],
    ['a null body', { data: null }],
  ])('does nothing, without throwing, for %s', (_name, response) => {
    expect(() => releaseResponse(response)).not.toThrow();
  });
});
