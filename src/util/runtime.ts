/**
 * Whether this looks like a browser or a web worker. Node 21+ defines `navigator`, so that alone
 * proves nothing; a `window` with a `document`, or worker globals, do. Deno, Bun and edge
 * runtimes are servers and pass.
 */
export function isBrowserLike(): boolean {
  const g = globalThis as {
    window?: { document?: unknown };
    importScripts?: unknown;
    WorkerGlobalScope?: unknown;
    self?: unknown;
  };
  if (g.window !== undefined && g.window !== null && g.window.document !== undefined) return true;
  if (typeof g.importScripts === 'function') return true;
  return typeof g.WorkerGlobalScope === 'function' && g.self instanceof (g.WorkerGlobalScope as new () => unknown);
}

/**
 * A built-in module of Node (also Bun and Deno) by `process.getBuiltinModule` (Node 20.16 on), or
 * undefined elsewhere: the core imports none statically, so that it bundles for runtimes without.
 */
export function builtinModule<T>(id: string): T | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  return typeof getBuiltin === 'function' ? (getBuiltin(id) as T | undefined) : undefined;
}
