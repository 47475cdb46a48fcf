/**
 * Whether this looks like a browser or a browser's worker: a `window` with a `document`, or
 * `importScripts` (every browser worker has it: dedicated, shared, service, module workers too).
 * Nothing else counts: Node 21+, Bun, Deno and workerd define `navigator`, workerd and Deno's
 * `new Worker()` a `WorkerGlobalScope`; they are servers and pass (docs/runtimes.md).
 */
export function isBrowserLike(): boolean {
  const g = globalThis as { window?: { document?: unknown }; importScripts?: unknown };
  if (g.window !== undefined && g.window !== null && g.window.document !== undefined) return true;
  return typeof g.importScripts === 'function';
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
