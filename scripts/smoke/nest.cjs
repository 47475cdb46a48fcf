// The packed NestJS entry through require(), with whichever NestJS the repository has installed.
// NestJS 12 is ESM only: require() of it needs Node 20.19 or later, which NestJS 12 requires anyway.
require('reflect-metadata');
const assert = require('node:assert/strict');
const { HttpService } = require('@nestjs/axios');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { PaymentAuthModule } = require('axios-payment-auth/nestjs');
const { startPaymentSandbox } = require('axios-payment-auth/testing');

(async () => {
  const sandbox = await startPaymentSandbox();
  try {
    class AppModule {}
    Module({
      imports: [PaymentAuthModule.register({ baseURL: `${sandbox.url}/api/v1`, credentials: sandbox.credentials })],
    })(AppModule);
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    assert.equal((await app.get(HttpService).axiosRef.get('/payments')).status, 200);
    await app.close();
    console.log(`NestJS ${require('@nestjs/core/package.json').version} (CommonJS): ok`);
  } finally {
    await sandbox.close();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
