import fc from 'fast-check';
import { backoffDelayMs, parseRetryAfterMs } from '../../src/retry/backoff';

describe('backoffDelayMs', () => {
  it('stays within [0, min(max, base·2^(n-1))] for every attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 60000 }),
        (attempt, r, base, max) => {
          const delay = backoffDelayMs(attempt, { baseDelayMs: base, maxDelayMs: max }, () => r);
          const ceiling = Math.min(max, base * 2 ** (Math.max(attempt, 1) - 1));
          return Number.isInteger(delay) && delay >= 0 && delay <= ceiling;
        },
      ),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('doubles the ceiling with each attempt', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([99, 199, 399, 799]);
  });
});

describe('parseRetryAfterMs (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [['3'], 3000],
    ['Sat, 28 Nov 2026 10:00:30 GMT', 30_000],
    ['Sat, 28 Nov 2026 09:59:00 GMT', 0],
  ])('reads %p as %p ms', (header, ms) => {
    expect(parseRetryAfterMs(header, now)).toBe(ms);
  });

  it.each([undefined, '', '-1', '1.5', 'soon', '12abc', {}])('ignores %p', (header) => {
    expect(parseRetryAfterMs(header, now)).toBeUndefined();
  });

  it('reads a number (an adapter that parsed the header) and a padded value', () => {
    expect(parseRetryAfterMs(3, now)).toBe(3000);
    expect(parseRetryAfterMs(' 3 ', now)).toBe(3000);
    expect(parseRetryAfterMs(['2', '9'], now)).toBe(2000); // the first of repeated headers
  });

  it('ignores a value that is neither a string nor a number, even one that prints as a date', () => {
    expect(parseRetryAfterMs(new Date(now + 30_000), now)).toBeUndefined();
    expect(parseRetryAfterMs(true, now)).toBeUndefined();
  });

  it('never returns a negative or non-integer delay', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        ),
        (header) => {
          const ms = parseRetryAfterMs(header, now);
          return ms === undefined || (Number.isFinite(ms) && ms >= 0);
        },
      ),
      { numRuns: 2000, seed: 9 },
    );
  });
});
