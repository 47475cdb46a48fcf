// What a runtime reports: its name and version, the axios it loaded, the adapter its default
// resolves to, the globals the browser guard reads, and the checks with 'fetch' and the default.

function runtime() {
  const g = globalThis;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  return `Node ${g.process?.version}`;
}

function guardGlobals() {
  const g = globalThis;
  return {
    window: typeof g.window,
    importScripts: typeof g.importScripts,
    WorkerGlobalScope: typeof g.WorkerGlobalScope,
    selfIsWorkerGlobalScope: typeof g.WorkerGlobalScope === 'function' && g.self instanceof g.WorkerGlobalScope,
  };
}

export async function report({ axios, pkg, hostUrl, inspect, KvStore, only, runChecks }) {
  const defaultAdapter = axios.getAdapter(axios.defaults.adapter);
  const adapters = {};
  for (const adapter of ['fetch', undefined]) {
    // workerd's default is the fetch adapter, made per config (it has no name of its own).
    const label = adapter ?? `default (${defaultAdapter.adapterName || defaultAdapter.name || 'fetch'})`;
    adapters[label] = await runChecks({ axios, pkg, adapter, hostUrl, inspect, KvStore, only });
  }
  return { runtime: runtime(), axios: axios.VERSION, guard: guardGlobals(), adapters };
}
