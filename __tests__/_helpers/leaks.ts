import { inspect } from 'node:util';

/** Every form a secret could take in a serialised error: raw, base64, url-encoded. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
}

/** All the ways a user may print an error or a log line. */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  const attempt = (f: () => unknown): void => {
    try {
      out.push(String(f()));
    } catch (error) {
      out.push(`<render failed: ${(error as Error).message}>`);
    }
  };
  attempt(() => JSON.stringify(value));
  attempt(() => inspect(value, { depth: 8 }));
  attempt(() => inspect(value, { depth: Infinity, showHidden: true }));
  attempt(() => String(value));
  attempt(() => (value as { stack?: unknown } | null)?.stack);
  attempt(() => (value as { toJSON?: () => unknown } | null)?.toJSON?.());
  attempt(() => JSON.stringify((value as { cause?: unknown } | null)?.cause));
  attempt(() => inspect((value as { cause?: unknown } | null)?.cause, { depth: 8 }));
  return out;
}

/** The secrets from `canaries` found in any rendering of `value`. */
export function findLeaks(value: unknown, canaries: readonly string[]): string[] {
  const texts = renderings(value);
  const found: string[] = [];
  for (const canary of canaries) {
    for (const form of forms(canary)) {
      if (texts.some((t) => t.includes(form))) found.push(canary);
    }
  }
  return [...new Set(found)];
}

/** Fails when any canary appears in any rendering of `value`. */
export function expectNoLeaks(value: unknown, canaries: readonly string[]): void {
  expect(findLeaks(value, canaries)).toEqual([]);
}
