// private_key_jwt and mutual TLS through require() (client-auth-check.mjs has the steps).
const { attachPaymentAuth, isPaymentAuthError } = require('axios-payment-auth');
const { startPaymentSandbox } = require('axios-payment-auth/testing');

import('./client-auth-check.mjs')
  .then(({ checkClientAuth }) => checkClientAuth({ attachPaymentAuth, isPaymentAuthError, startPaymentSandbox }, 'cjs'))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
