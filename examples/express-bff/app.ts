import axios from 'axios';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { attachPaymentAuth, parsePaymentError, type CredentialsInput, type PaymentAuth } from 'axios-payment-auth';

/**
 * A backend-for-frontend: the browser calls `POST /checkout`; this server holds the Payment API
 * credentials and tokens, and answers with what the page needs — never a token or a secret.
 */
export function createBff(paymentApiUrl: string, credentials?: CredentialsInput): { app: Express; auth: PaymentAuth } {
  const api = axios.create({ baseURL: paymentApiUrl, timeout: 10_000 });
  const auth = attachPaymentAuth(api, credentials);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10kb' }));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.post('/checkout', async (req: Request, res: Response, next: NextFunction) => {
    const {
      amount,
      currency = 'EUR',
      orderId,
    } = (req.body ?? {}) as { amount?: unknown; currency?: unknown; orderId?: unknown };
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) {
      res.status(400).json({ error: 'amount must be a positive integer (minor units)' });
      return;
    }
    try {
      // The order id makes a double-clicked checkout one payment: the key is the same both times.
      const headers = typeof orderId === 'string' && orderId !== '' ? { 'Idempotency-Key': `order-${orderId}` } : {};
      const { data } = await api.post('/payments', { amount, currency }, { headers });
      res.status(201).json({ paymentId: data.id, status: data.status, amount: data.amount, currency: data.currency });
    } catch (error) {
      next(error);
    }
  });

  app.get('/checkout/:id', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { data } = await api.get(`/payments/${encodeURIComponent(String(req.params.id))}`);
      res.json({ paymentId: data.id, status: data.status });
    } catch (error) {
      next(error);
    }
  });

  // Upstream errors become a code the page can act on; nothing else crosses to the browser.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, code, retryable } = parsePaymentError(error);
    const own = status === 404 ? 404 : status === 422 ? 409 : 502;
    res.status(own).json({ error: code, retryable });
  });

  return { app, auth };
}
