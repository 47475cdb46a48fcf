// The checks on Bun or Deno, run from a scratch consumer that installed the packed package:
// `bun entry.mjs` or `deno run --allow-net --allow-env --allow-read entry.mjs`, with HOST_URL set.
// Prints one JSON line: the runtime, the axios version, the results with each adapter.
import axios from 'axios';
import * as pkg from 'axios-payment-auth';
import { runChecks } from './checks.mjs';
import { RestKvTokenStore } from './rest-kv-token-store.mjs';
import { report } from './report.mjs';

const env = (name) => (globalThis.Deno ? globalThis.Deno.env.get(name) : process.env[name]);
const inspect = globalThis.Deno?.inspect ?? globalThis.Bun?.inspect;
const hostUrl = env('HOST_URL');
const only = env('CHECKS')?.split(',');
const result = await report({ axios, pkg, hostUrl, inspect, KvStore: RestKvTokenStore, only, runChecks });
// Where the package came from: run.mjs refuses anything but the installed tarball.
result.resolved = import.meta.resolve('axios-payment-auth');
console.log(JSON.stringify(result));
