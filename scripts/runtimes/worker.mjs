// The checks inside a workerd isolate (bundled with esbuild): GET / runs them and answers the
// report as JSON. The host (HOST_URL, a text binding) runs in Node outside the worker, on loopback.
import axios from 'axios';
import * as pkg from 'axios-payment-auth';
import { inspect } from 'node:util';
import { runChecks } from './checks.mjs';
import { RestKvTokenStore } from './rest-kv-token-store.mjs';
import { report } from './report.mjs';

export default {
  async fetch(request, env) {
    const only = new URL(request.url).searchParams.get('checks')?.split(',');
    const result = await report({
      axios,
      pkg,
      hostUrl: env.HOST_URL,
      inspect,
      KvStore: RestKvTokenStore,
      only,
      runChecks,
    });
    return Response.json(result);
  },
};
