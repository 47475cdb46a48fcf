// Compiled with tsc against the packed package: the public types from a CommonJS file.
import axios = require('axios');
import pa = require('axios-payment-auth');

const api = axios.create({ baseURL: 'https://api.example-pay.com' });
const auth: pa.PaymentAuth = pa.attachPaymentAuth(api, { clientId: 'id', clientSecret: 'secret' });
void api.get('/payments', { paymentAuth: false });
auth.detach();
