import { Module } from '@nestjs/common';
import { PaymentAuthModule } from 'axios-payment-auth/nestjs';
import { AppConfig, AppConfigModule } from './app-config';
import { PaymentsController } from './payments.controller';

@Module({
  imports: [
    PaymentAuthModule.registerAsync({
      imports: [AppConfigModule],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        baseURL: config.getOrThrow('PAYMENT_API_URL'),
        credentials: {
          clientId: config.getOrThrow('PAYMENT_CLIENT_ID'),
          clientSecret: config.getOrThrow('PAYMENT_CLIENT_SECRET'),
        },
        timeout: 10_000,
      }),
    }),
  ],
  controllers: [PaymentsController],
})
export class PaymentsModule {}
