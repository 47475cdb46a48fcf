import { Body, Controller, Get, HttpException, Inject, Param, Post } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { parsePaymentError } from 'axios-payment-auth';
import { firstValueFrom } from 'rxjs';

interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: string;
}

@Controller('payments')
export class PaymentsController {
  constructor(@Inject(HttpService) private readonly http: HttpService) {}

  @Post()
  async create(@Body() body: { amount: number; currency?: string }): Promise<Payment> {
    return this.call(() =>
      firstValueFrom(this.http.post<Payment>('/payments', { amount: body.amount, currency: body.currency ?? 'EUR' })),
    );
  }

  @Get(':id')
  async read(@Param('id') id: string): Promise<Payment> {
    return this.call(() => firstValueFrom(this.http.get<Payment>(`/payments/${encodeURIComponent(id)}`)));
  }

  /** Maps Payment API errors to HTTP errors of this app, without leaking upstream details. */
  private async call(request: () => Promise<{ data: Payment }>): Promise<Payment> {
    try {
      return (await request()).data;
    } catch (error) {
      const info = parsePaymentError(error);
      throw new HttpException(
        { code: info.code, message: info.message, requestId: info.requestId },
        info.status && info.status < 500 ? info.status : 502,
      );
    }
  }
}
