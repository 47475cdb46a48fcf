/** What the commands need of the outside world; tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (live progress) or a pipe (plain lines). */
  isTty: boolean;
  /** Rewrites the current terminal line (progress); a no-op when not a TTY. */
  status(text: string): void;
  /** Resolves on SIGINT or SIGTERM. */
  untilSignal(): Promise<void>;
}

/** The process's own streams, environment and signals. */
export function processIo(): Io {
  const isTty = process.stdout.isTTY === true;
  // `payment-auth demo | head`: once the reader has gone there is nobody to report to; end quietly
  // (as other command-line tools do) instead of crashing with an unhandled EPIPE. Any other write
  // failure (a full disk: ENOSPC) ends the command with one line on stderr and exit code 1.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (stream === process.stdout) {
        try {
          process.stderr.write(`payment-auth: cannot write the output: ${error.code ?? error.message}\n`);
        } catch {
          // stderr is gone too: the exit code says it
        }
      }
      process.exit(1);
    });
  }
  let statusShown = false;
  let lastStatusAt = 0;
  const clearStatus = (): void => {
    if (statusShown) process.stdout.write('\r\x1b[2K');
    statusShown = false;
  };
  return {
    out(line) {
      clearStatus();
      process.stdout.write(`${line}\n`);
    },
    err(line) {
      clearStatus();
      process.stderr.write(`${line}\n`);
    },
    env: process.env,
    isTty,
    status(text) {
      // At most ~12 redraws a second: progress, not a flood of escape codes.
      if (!isTty || Date.now() - lastStatusAt < 80) return;
      lastStatusAt = Date.now();
      process.stdout.write(`\r\x1b[2K${text}`);
      statusShown = true;
    },
    untilSignal: () =>
      new Promise((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
  };
}
