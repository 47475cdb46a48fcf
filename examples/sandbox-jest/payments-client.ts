import axios, { type AxiosInstance } from 'axios';
import { attachPaymentAuth, type PaymentAuth } from 'axios-payment-auth';

/** Your code: a small client of the Payment API. */
export class PaymentsClient {
  readonly http: AxiosInstance;
  readonly auth: PaymentAuth;

  constructor(baseURL: string, credentials: { clientId: string; clientSecret: string }) {
    this.http = axios.create({ baseURL });
    this.auth = attachPaymentAuth(this.http, credentials);
  }

  async charge(amount: number, currency = 'EUR'): Promise<{ id: string; amount: number }> {
    const { data } = await this.http.post('/payments', { amount, currency });
    return data;
  }

  close(): void {
    this.auth.detach();
  }
}
