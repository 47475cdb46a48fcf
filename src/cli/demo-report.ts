/** Counts of one demo phase. */
export interface PhaseCounts {
  requests: number;
  tokenCalls: number;
  refreshCalls: number;
  unauthorized: number;
  retries: number;
  paymentsCreated: number;
  failures: number;
}

/** The outcome of one demo phase. */
export interface PhaseResult extends PhaseCounts {
  name: string;
  /** What the phase expects, in words. */
  expectation: string;
  met: boolean;
  durationMs: number;
  /** Extra facts worth showing (the error code of a failing phase, …). */
  note?: string;
  /** The first error a request of the phase failed with (code and message), when one failed. */
  firstFailure?: string;
}

const COLUMNS: [string, (r: PhaseResult) => string][] = [
  ['phase', (r) => r.name],
  ['requests', (r) => String(r.requests)],
  ['token calls', (r) => String(r.tokenCalls)],
  ['refresh calls', (r) => String(r.refreshCalls)],
  ['401s', (r) => String(r.unauthorized)],
  ['retries', (r) => String(r.retries)],
  ['payments', (r) => String(r.paymentsCreated)],
  ['failed', (r) => String(r.failures)],
  ['ms', (r) => String(Math.round(r.durationMs))],
  ['expected', (r) => r.expectation],
  ['met', (r) => (r.met ? 'yes' : 'NO')],
];

/** The results as an aligned text table. */
export function renderTable(results: readonly PhaseResult[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...results.map((r) => COLUMNS.map(([, get]) => get(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (i === 0 || i >= COLUMNS.length - 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
