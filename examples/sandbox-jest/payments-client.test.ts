import { startPaymentSandbox, type PaymentSandbox } from 'axios-payment-auth/testing';
import { PaymentsClient } from './payments-client';

describe('PaymentsClient', () => {
  let sandbox: PaymentSandbox;
  let client: PaymentsClient;

  beforeEach(async () => {
    sandbox = await startPaymentSandbox();
    client = new PaymentsClient(`${sandbox.url}/api/v1`, sandbox.credentials);
  });

  afterEach(async () => {
    client.close();
    await sandbox.close();
  });

  it('charges once, even when the API fails transiently', async () => {
    sandbox.injectFault('api', { status: 503 });
    const payment = await client.charge(1000);
    expect(payment.amount).toBe(1000);
    expect(sandbox.payments()).toHaveLength(1);
    expect(sandbox.counters().tokenCalls).toBe(1);
  });

  it('survives a revoked token', async () => {
    await client.charge(100);
    sandbox.revokeAccessTokens();
    await expect(client.charge(200)).resolves.toMatchObject({ amount: 200 });
    expect(sandbox.counters()).toMatchObject({ refreshCalls: 1, unauthorized: 1 });
  });
});
