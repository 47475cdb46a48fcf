// Runs the packed package through import: a cold-start herd, a revoked token, a create call.
import assert from 'node:assert/strict';
import axios from 'axios';
import { attachPaymentAuth, isPaymentAuthError } from 'axios-payment-auth';
import { startPaymentSandbox } from 'axios-payment-auth/testing';
import { RedisTokenStore } from 'axios-payment-auth/redis';

assert.throws(() => new RedisTokenStore({}), TypeError);

const sandbox = await startPaymentSandbox();
try {
  const api = axios.create({ baseURL: sandbox.url });
  const auth = attachPaymentAuth(api, sandbox.credentials);
  const herd = await Promise.all(Array.from({ length: 20 }, () => api.get('/api/v1/payments')));
  assert.ok(herd.every((r) => r.status === 200));
  sandbox.revokeAccessTokens();
  assert.equal((await api.post('/api/v1/payments', { amount: 1000 })).status, 201);
  assert.deepEqual(sandbox.counters(), {
    tokenCalls: 1,
    refreshCalls: 1,
    apiCalls: 22,
    unauthorized: 1,
    paymentsCreated: 1,
    dpopNonceChallenges: 0,
  });
  const wrong = axios.create({ baseURL: sandbox.url });
  attachPaymentAuth(wrong, { clientId: 'nobody', clientSecret: 'wrong-secret' });
  await assert.rejects(
    wrong.get('/api/v1/payments'),
    (e) => isPaymentAuthError(e) && e.code === 'CREDENTIALS_REJECTED',
  );
  auth.detach();
  console.log(`smoke esm ${process.version}: ok`);
} finally {
  await sandbox.close();
}
