// Compiled with tsc against the packed package: the public types under node16 ESM resolution.
import axios from 'axios';
import { attachPaymentAuth, type PaymentAuth, type PaymentAuthOptions } from 'axios-payment-auth';
import { startPaymentSandbox } from 'axios-payment-auth/testing';

const options: PaymentAuthOptions = { refreshWindowMs: 30_000, clientAuthMethod: 'client_secret_post' };
const sandbox = await startPaymentSandbox();
const api = axios.create({ baseURL: sandbox.url });
const auth: PaymentAuth = attachPaymentAuth(api, sandbox.credentials, options);
await api.get('/api/v1/payments', { paymentAuth: false, validateStatus: () => true });
// What must not compile against the published declarations (an unused directive fails tsc).
// @ts-expect-error `paymentAuth` is false or the package's own state, never true
void api.get('/api/v1/payments', { paymentAuth: true });
// @ts-expect-error an unknown option
attachPaymentAuth(api, sandbox.credentials, { refreshWindow: 1 });
auth.detach();
await sandbox.close();
