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
  /**
   * How many token acquisitions have started, background renewals included (with
   * `countAcquisitions` only). The credentials are read at the start of every acquisition, in the
   * request interceptor (or `getAccessToken()`) that starts it, before any network call: once a
   * request has settled, whether it started a renewal is known here without waiting for one.
   */
  acquisitionsStarted(): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * Pass the credentials as a provider function that counts its calls, for
   * {@link Harness.acquisitionsStarted}. (A provider's secret is read once more after a 401
   * `invalid_client`, so leave this off where credentials are rejected.)
   */
  countAcquisitions?: boolean;
}

export async function startHarness(
  options: PaymentAuthOptions = {},
  sandboxOptions: PaymentSandboxOptions = {},
  harnessOptions: HarnessOptions = {},
): Promise<Harness> {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const clock = () => now;
  const sandbox = await startPaymentSandbox({
    now: clock,
    credentials: { clientSecret: HOSTILE_SECRET },
    ...sandboxOptions,
  });
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
  let reads = 0;
  const credentials = harnessOptions.countAcquisitions
    ? () => {
        reads += 1;
        return sandbox.credentials;
      }
    : sandbox.credentials;
  const auth = attachPaymentAuth(api, credentials, { clock, ...options });
  return {
    sandbox,
    api,
    auth,
    advance(ms) {
      now += ms;
    },
    acquisitionsStarted() {
      if (!harnessOptions.countAcquisitions)
        throw new Error('acquisitionsStarted() needs startHarness(…, …, { countAcquisitions: true })');
      return reads;
    },
    async close() {
      auth.detach();
      await sandbox.close();
    },
  };
}
