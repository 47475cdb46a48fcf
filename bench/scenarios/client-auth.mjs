// 10. Client authentication: what a token call costs with each method, and that a private_key_jwt
// assertion is made per token call, never per request. Against the minimal server (it takes any
// token request without checking it), so the difference between methods is the client's own work:
// building the request, and for private_key_jwt importing the key once and signing each assertion.
import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import { attachPaymentAuth } from '../../dist/index.mjs';
import { startMinimalServer } from '../minimal-server.mjs';
import { median, spread } from '../stats.mjs';

const KEYS = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  EdDSA: () => generateKeyPairSync('ed25519').privateKey,
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  PS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
};

function variants(server) {
  const base = { clientId: 'bench' };
  return {
    secret: { ...server.credentials },
    ...Object.fromEntries(
      Object.entries(KEYS).map(([alg, make]) => [
        alg,
        { ...base, privateKey: make().export({ format: 'jwk' }), ...(alg === 'PS256' ? { algorithm: 'PS256' } : {}) },
      ]),
    ),
  };
}

export async function clientAuth({ quick = false, log = () => undefined } = {}) {
  const rounds = quick ? 3 : 12;
  const callsPerRound = quick ? 20 : 200;
  const server = await startMinimalServer();
  const credentials = variants(server);
  const names = Object.keys(credentials);
  const clients = Object.fromEntries(
    names.map((name) => {
      const api = axios.create({ baseURL: server.url });
      const auth = attachPaymentAuth(api, credentials[name], { refreshUrl: false, retry: false });
      return [name, { api, auth }];
    }),
  );
  try {
    // Warm-up: each client imports its key and makes a first token call.
    for (const name of names) await clients[name].auth.getAccessToken();
    const us = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotated order, reversed every other round: no method always goes first.
      const order = names.map((_, i) => names[(i + round) % names.length]);
      if (round % 2) order.reverse();
      for (const name of order) {
        const { auth } = clients[name];
        const started = performance.now();
        for (let i = 0; i < callsPerRound; i++) {
          auth.invalidate();
          await auth.getAccessToken();
        }
        us[name].push(((performance.now() - started) * 1000) / callsPerRound);
      }
    }
    // Per token call, not per request: once a token is cached, 1,000 requests make no assertion.
    let signed = 0;
    const counting = axios.create({ baseURL: server.url });
    const key = KEYS.ES256();
    const { SignJWT } = await import('jose');
    const countingAuth = attachPaymentAuth(
      counting,
      {
        clientId: 'bench',
        clientAssertion: (claims) => {
          signed += 1;
          return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256' }).sign(key);
        },
      },
      { refreshUrl: false, retry: false },
    );
    await countingAuth.getAccessToken();
    signed = 0;
    const requests = quick ? 100 : 1000;
    for (let i = 0; i < requests; i++) await counting.get('/payments');
    countingAuth.detach();

    const secret = median(us.secret);
    const rows = names.map((name) => ({
      name,
      us: spread(us[name]),
      extraUs: median(us[name]) - secret,
      ratio: median(us[name]) / secret,
    }));
    for (const row of rows)
      log(
        `client auth ${row.name}: ${row.us.median.toFixed(0)} µs per token call (+${row.extraUs.toFixed(0)} µs, ×${row.ratio.toFixed(2)} over a secret)`,
      );
    log(`client auth: ${signed} assertion${signed === 1 ? '' : 's'} for ${requests} requests`);
    return { rows, rounds, callsPerRound, requests, assertionsForRequests: signed };
  } finally {
    for (const { auth } of Object.values(clients)) auth.detach();
    await server.close();
  }
}
