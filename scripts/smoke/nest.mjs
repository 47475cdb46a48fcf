// Runs the packed NestJS entry through import, with whichever NestJS the repository has installed
// (12 by default, 11 in the matrix): a module registered on the sandbox, a request through its
// HttpService, the handle, and shutdown.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PAYMENT_AUTH, PaymentAuthModule } from 'axios-payment-auth/nestjs';
import { startPaymentSandbox } from 'axios-payment-auth/testing';

const sandbox = await startPaymentSandbox();
try {
  class AppModule {}
  Module({
    imports: [PaymentAuthModule.register({ baseURL: `${sandbox.url}/api/v1`, credentials: sandbox.credentials })],
  })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const http = app.get(HttpService);
  const { status } = await http.axiosRef.get('/payments');
  assert.equal(status, 200);
  assert.equal(typeof (await app.get(PAYMENT_AUTH).getAccessToken()), 'string');
  await app.close();
  assert.deepEqual(sandbox.counters(), {
    tokenCalls: 1,
    refreshCalls: 0,
    apiCalls: 1,
    unauthorized: 0,
    paymentsCreated: 0,
    dpopNonceChallenges: 0,
  });
  const { version } = (await import('@nestjs/core/package.json', { with: { type: 'json' } })).default;
  console.log(`NestJS ${version} (ESM): ok`);
} finally {
  await sandbox.close();
}
