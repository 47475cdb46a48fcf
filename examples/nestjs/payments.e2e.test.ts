import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startPaymentSandbox, type PaymentSandbox } from 'axios-payment-auth/testing';
import request from 'supertest';
import { AppModule } from './src/app.module';

describe('the NestJS example app', () => {
  let sandbox: PaymentSandbox;
  let app: INestApplication;

  beforeAll(async () => {
    sandbox = await startPaymentSandbox();
    process.env.PAYMENT_API_URL = `${sandbox.url}/api/v1`;
    process.env.PAYMENT_CLIENT_ID = sandbox.credentials.clientId;
    process.env.PAYMENT_CLIENT_SECRET = sandbox.credentials.clientSecret;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('creates and reads payments through the authenticated HttpService', async () => {
    const created = await request(app.getHttpServer()).post('/payments').send({ amount: 1999 }).expect(201);
    expect(created.body).toMatchObject({ amount: 1999, currency: 'EUR', status: 'succeeded' });
    await request(app.getHttpServer()).get(`/payments/${created.body.id}`).expect(200, created.body);
    expect(sandbox.counters()).toMatchObject({ tokenCalls: 1, paymentsCreated: 1 });
  });

  it('recovers from a revoked token and a 503 without the caller noticing', async () => {
    sandbox.revokeAccessTokens();
    sandbox.injectFault('api', { delayMs: 0 });
    sandbox.injectFault('api', { status: 503 });
    await request(app.getHttpServer()).post('/payments').send({ amount: 5 }).expect(201);
    expect(sandbox.payments().filter((p) => p.amount === 5)).toHaveLength(1);
  });

  it('maps Payment API errors to its own', async () => {
    const response = await request(app.getHttpServer()).get('/payments/pay_missing').expect(404);
    expect(response.body).toMatchObject({ code: 'NOT_FOUND', requestId: expect.stringMatching(/^req_/) });
  });
});
