const anchor = Date.now() - performance.now();

/**
 * Epoch milliseconds that follow a monotonic clock: read once from the wall clock when the module
 * loads, then advanced by `performance.now()`. An NTP step or a manual clock change cannot make a
 * cached token look younger than it is (checklist E-7).
 */
export function monotonicNow(): number {
  return anchor + performance.now();
}
