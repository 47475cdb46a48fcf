// 11. DPoP (RFC 9449): what a proof per request costs. As in the hot path (section 0), requests go
// through axios's whole pipeline to an adapter that answers at once, so the figure is the client's
// own work: a Bearer request with a cached token against a DPoP request with a cached token, which
// also resolves its URL and signs a new proof (ES256 by default; EdDSA and RS256 keys beside it).
// Rounds rotate the order and reverse it every other round; each ratio is taken within a round.
import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import { attachPaymentAuth } from '../../dist/index.mjs';
import { startMinimalServer } from '../minimal-server.mjs';
import { spread, timeBatch, timeRotated } from '../stats.mjs';

export const DPOP_VARIANTS = ['bearer', 'bearer2', 'ES256', 'EdDSA', 'RS256'];

const answer = (config) =>
  Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config, request: {} });

function variant(name, baseURL, server) {
  const api = axios.create({ baseURL, adapter: answer });
  const options = { tokenUrl: server.tokenUrl, allowInsecureHttp: true };
  if (name === 'ES256') options.dpop = true; // the default: a generated ES256 key
  if (name === 'EdDSA') options.dpop = { privateKey: generateKeyPairSync('ed25519').privateKey };
  if (name === 'RS256') options.dpop = { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
  const auth = attachPaymentAuth(api, server.credentials, options);
  return { api, auth };
}

export async function dpop({ quick = false, log = () => undefined } = {}) {
  const server = await startMinimalServer();
  const rounds = quick ? 6 : 12;
  const count = quick ? 500 : 3_000;
  try {
    const baseURL = `${server.url}/api/v1`;
    const clients = Object.fromEntries(DPOP_VARIANTS.map((n) => [n, variant(n, baseURL, server)]));
    const send = Object.fromEntries(DPOP_VARIANTS.map((n) => [n, () => clients[n].api.get('/payments/pay_1')]));
    // Warm-up: the token, the key, the JIT. Every variant must hold the token type it is meant to.
    for (const n of DPOP_VARIANTS) await timeBatch(send[n], quick ? 200 : 1_000);
    const sent = await clients.ES256.api.get('/payments/pay_1');
    if (!/^DPoP /.test(sent.config.headers.Authorization) || !sent.config.headers.DPoP)
      throw new Error('the DPoP variant did not send a DPoP token with a proof');
    const us = await timeRotated(send, rounds, count);
    const ratio = (a, b) => spread(us[a].map((x, i) => x / us[b][i]));
    const rows = DPOP_VARIANTS.filter((n) => n !== 'bearer').map((name) => ({
      name,
      us: spread(us[name]),
      extraUs: spread(us[name].map((x, i) => x - us.bearer[i])),
      ratio: ratio(name, 'bearer'),
    }));
    for (const row of rows)
      log(
        `dpop ${row.name}: ${row.us.median.toFixed(1)} µs per request, +${row.extraUs.median.toFixed(1)} µs, ×${row.ratio.median.toFixed(2)} a Bearer request (${row.ratio.min.toFixed(2)}–${row.ratio.max.toFixed(2)})`,
      );
    for (const { auth } of Object.values(clients)) auth.detach();
    return { rounds, count, bearerUs: spread(us.bearer), rows };
  } finally {
    await server.close();
  }
}
