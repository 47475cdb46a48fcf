import axios, { type AxiosInstance } from 'axios';
import { attachPaymentAuth, type PaymentAuth, type PaymentAuthOptions } from '../../src';
import { startPaymentSandbox, type PaymentSandbox, type PaymentSandboxOptions } from '../../src/testing';
import { HOSTILE_SECRET } from './leaks';

/**
 * A sandbox plus an attached axios instance, on a shared clock the test can move. The client secret
 * is {@link HOSTILE_SECRET} (not URL-safe) unless `sandboxOptions.credentials` says otherwise.
 */
export interface Harness {
  sandbox: PaymentSandbox;
  api: AxiosInstance;
  auth: PaymentAuth;
  /** Moves the shared clock (the sandbox's and the token manager's). */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startHarness(options: PaymentAuthOptions = {}, sandboxOptions: PaymentSandboxOptions = {}): Promise<Harness> {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const clock = () => now;
  const sandbox = await startPaymentSandbox({ now: clock, credentials: { clientSecret: HOSTILE_SECRET }, ...sandboxOptions });
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
  const auth = attachPaymentAuth(api, sandbox.credentials, { clock, ...options });
  return {
    sandbox,
    api,
    auth,
    advance(ms) {
      now += ms;
    },
    async close() {
      auth.detach();
      await sandbox.close();
    },
  };
}
