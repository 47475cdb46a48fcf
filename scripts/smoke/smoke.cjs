// Runs the packed package through require(): a cold-start herd, a revoked token, a create call.
const assert = require('node:assert/strict');
const axios = require('axios');
const { attachPaymentAuth, isPaymentAuthError, PaymentAuthError } = require('axios-payment-auth');
const { startPaymentSandbox } = require('axios-payment-auth/testing');
const { RedisTokenStore } = require('axios-payment-auth/redis');

(async () => {
  assert.equal(typeof PaymentAuthError, 'function');
  assert.throws(() => new RedisTokenStore({}), TypeError);
  const sandbox = await startPaymentSandbox();
  try {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    const herd = await Promise.all(Array.from({ length: 20 }, () => api.get('/payments')));
    assert.ok(herd.every((r) => r.status === 200));
    sandbox.revokeAccessTokens();
    const created = await api.post('/payments', { amount: 1000, currency: 'EUR' });
    assert.equal(created.status, 201);
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
    console.log(`smoke cjs ${process.version}: ok`);
  } finally {
    await sandbox.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
