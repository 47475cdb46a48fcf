// private_key_jwt and mutual TLS through import (client-auth-check.mjs has the steps).
import { attachPaymentAuth, isPaymentAuthError } from 'axios-payment-auth';
import { startPaymentSandbox } from 'axios-payment-auth/testing';
import { checkClientAuth } from './client-auth-check.mjs';

await checkClientAuth({ attachPaymentAuth, isPaymentAuthError, startPaymentSandbox }, 'esm');
