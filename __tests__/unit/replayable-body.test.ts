import { Readable } from 'node:stream';
import { isReplayableBody } from '../../src/request/replayable-body';

// A 401 replay or a retry sends the same body again: only bodies that can be read twice qualify.
describe('isReplayableBody', () => {
  it.each([
    ['no body', undefined],
    ['null', null],
    ['a string', '{"amount":1}'],
    ['a number', 42],
    ['a Buffer', Buffer.from('x')],
    ['a typed array', new Uint8Array([1])],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['URLSearchParams', new URLSearchParams({ a: '1' })],
    ['a plain object', { amount: 1 }],
    ['an array', [1, 2]],
  ])('replays %s', (_name, body) => {
    expect(isReplayableBody(body)).toBe(true);
  });

  it.each([
    ['a Node stream', () => Readable.from(['x'])],
    ['an object that pipes (form-data)', () => ({ pipe: () => undefined })],
    ['a web ReadableStream', () => new ReadableStream()],
    ['an object with getReader', () => ({ getReader: () => undefined })],
    ['an async iterable', () => ({ async *[Symbol.asyncIterator]() {} })],
  ])('never replays %s', (_name, make) => {
    expect(isReplayableBody(make())).toBe(false);
  });
});

// axios sends bytes and URLSearchParams as they are, whatever else such an object carries.
describe('isReplayableBody on bytes that look like streams', () => {
  it.each([
    [
      'a typed array that is also async iterable',
      () => Object.assign(new Uint8Array([1]), { async *[Symbol.asyncIterator]() {} }),
    ],
    ['an ArrayBuffer with a pipe method', () => Object.assign(new ArrayBuffer(1), { pipe: () => undefined })],
    [
      'URLSearchParams with a getReader method',
      () => Object.assign(new URLSearchParams('a=1'), { getReader: () => undefined }),
    ],
  ])('replays %s', (_name, make) => {
    expect(isReplayableBody(make())).toBe(true);
  });
});
