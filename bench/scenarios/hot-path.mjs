// 0. Hot path: what the plugin itself costs per request, with no sockets. Each variant sends its
// requests through axios's whole pipeline (config merge, interceptors, transformRequest, headers)
// to an adapter that answers at once, so the machine's network noise is out of the figure:
//   static   plain axios with a static Authorization header (no interceptor at all)
//   static2  an identical second instance: the A/A control, whose ratio to `static` is the noise
//   trivial  one request interceptor that sets the header: the floor any auth interceptor pays
//   ours     axios-payment-auth with a cached token (and its defaults: retries, idempotency keys)
// GET, and a POST with a JSON body (ours adds an Idempotency-Key: a UUID per request). Rounds rotate
// the order (A-B-C-D, B-C-D-A, …, then reversed), so no variant always runs first or last; each
// ratio is taken within a round and the median over the rounds is reported with its spread.
import axios from 'axios';
import { attachPaymentAuth } from '../../dist/index.mjs';
import { startMinimalServer } from '../minimal-server.mjs';
import { spread, timeBatch, timeRotated } from '../stats.mjs';

export const HOT_PATH_VARIANTS = ['static', 'static2', 'trivial', 'ours'];

/** An axios adapter that answers 200 with an empty JSON object, synchronously resolved. */
const answer = (config) =>
  Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config, request: {} });

function variant(name, baseURL, server) {
  if (name === 'static' || name === 'static2')
    return axios.create({ baseURL, adapter: answer, headers: { Authorization: 'Bearer bench-token' } });
  const api = axios.create({ baseURL, adapter: answer });
  if (name === 'trivial') {
    api.interceptors.request.use((config) => {
      config.headers.set('Authorization', 'Bearer bench-token');
      return config;
    });
    return api;
  }
  // The token comes from a real (loopback) token endpoint once; every measured request then takes
  // the cached-token path. The adapter applies to API calls only: the token endpoint has its own
  // axios instance.
  attachPaymentAuth(api, server.credentials, { tokenUrl: server.tokenUrl, allowInsecureHttp: true });
  return api;
}

export async function hotPath({ quick = false, log = () => undefined } = {}) {
  const server = await startMinimalServer();
  // Cheap (no sockets): even a quick run takes enough rounds for a stable median.
  const rounds = quick ? 8 : 12;
  const count = quick ? 5_000 : 10_000;
  const results = {};
  try {
    const baseURL = `${server.url}/api/v1`;
    const clients = Object.fromEntries(HOT_PATH_VARIANTS.map((n) => [n, variant(n, baseURL, server)]));
    const methods = {
      GET: (api) => () => api.get('/payments/pay_1'),
      POST: (api) => () => api.post('/payments', { amount: 1000, currency: 'EUR' }),
    };
    for (const [method, request] of Object.entries(methods)) {
      const senders = Object.fromEntries(HOT_PATH_VARIANTS.map((n) => [n, request(clients[n])]));
      for (const n of HOT_PATH_VARIANTS) await timeBatch(senders[n], quick ? 500 : 5_000); // warm-up, token, JIT
      const us = await timeRotated(senders, rounds, count);
      const ratio = (a, b) => spread(us[a].map((x, i) => x / us[b][i]));
      results[method] = {
        us: Object.fromEntries(HOT_PATH_VARIANTS.map((n) => [n, spread(us[n])])),
        ratios: {
          aa: ratio('static2', 'static'),
          trivial: ratio('trivial', 'static'),
          ours: ratio('ours', 'static'),
          oursOverTrivial: ratio('ours', 'trivial'),
        },
      };
      const r = results[method];
      log(
        `hot path ${method}: static ${r.us.static.median.toFixed(2)} µs, trivial interceptor ${r.us.trivial.median.toFixed(2)} µs, ours ${r.us.ours.median.toFixed(2)} µs; ours ÷ trivial ${r.ratios.oursOverTrivial.median.toFixed(3)} (A/A ${r.ratios.aa.min.toFixed(3)}–${r.ratios.aa.max.toFixed(3)})`,
      );
    }
  } finally {
    await server.close();
  }
  return { rounds, count, results };
}
