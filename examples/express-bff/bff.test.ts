import { startPaymentSandbox, type PaymentSandbox } from 'axios-payment-auth/testing';
import request from 'supertest';
import { createBff } from './app';

describe('the express backend-for-frontend', () => {
  let sandbox: PaymentSandbox;
  let bff: ReturnType<typeof createBff>;

  beforeEach(async () => {
    sandbox = await startPaymentSandbox();
    bff = createBff(`${sandbox.url}/api/v1`, sandbox.credentials);
  });

  afterEach(async () => {
    bff.auth.detach();
    await sandbox.close();
  });

  it('creates a payment for the browser, which never sees a token or a secret', async () => {
    const response = await request(bff.app).post('/checkout').send({ amount: 2500, orderId: 'A-17' }).expect(201);
    expect(response.body).toEqual({
      paymentId: expect.stringMatching(/^pay_/),
      status: 'succeeded',
      amount: 2500,
      currency: 'EUR',
    });
    const token = await bff.auth.getAccessToken();
    const seen = JSON.stringify(response.headers) + response.text;
    for (const secret of [token, sandbox.credentials.clientSecret, sandbox.credentials.clientId])
      expect(seen).not.toContain(secret);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('charges a double-clicked checkout once', async () => {
    const [a, b] = await Promise.all([
      request(bff.app).post('/checkout').send({ amount: 990, orderId: 'A-18' }),
      request(bff.app).post('/checkout').send({ amount: 990, orderId: 'A-18' }),
    ]);
    expect(a.body.paymentId).toBe(b.body.paymentId);
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('turns upstream failures into a code, without upstream details or credentials', async () => {
    sandbox.injectFault('token', {
      status: 401,
      body: { error: 'invalid_client', error_description: 'secret rotated' },
    });
    const response = await request(bff.app).post('/checkout').send({ amount: 100 }).expect(502);
    expect(response.body).toEqual({ error: 'CREDENTIALS_REJECTED', retryable: false });
    expect(response.text).not.toContain(sandbox.credentials.clientSecret);
    await request(bff.app).get('/checkout/pay_unknown').expect(404, { error: 'NOT_FOUND', retryable: false });
  });

  it('validates what the browser sends', async () => {
    await request(bff.app).post('/checkout').send({ amount: -5 }).expect(400);
    expect(sandbox.requests).toHaveLength(0);
  });
});
