/**
 * The runtime this runs on, as its users name it: `node v20.20.0`, `bun 1.4.0`, `deno 2.9.0`. Bun
 * and Deno emulate `process.version` with a Node version of their own choosing, so theirs is read
 * from where they put it.
 */
export function runtimeLabel(): string {
  const g = globalThis as { Bun?: { version?: unknown }; Deno?: { version?: { deno?: unknown } } };
  if (typeof g.Bun?.version === 'string') return `bun ${g.Bun.version}`;
  if (typeof g.Deno?.version?.deno === 'string') return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}
