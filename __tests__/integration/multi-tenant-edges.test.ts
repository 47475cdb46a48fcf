import axios from 'axios';
import { attachMultiTenantPaymentAuth, type MultiTenantPaymentAuthOptions, type PaymentAuthLogger } from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { rejection } from '../_helpers/rejection';
import { quietTelemetry } from '../_helpers/telemetry';

let sandbox: PaymentSandbox;
beforeAll(async () => {
  sandbox = await startPaymentSandbox({ clients: [{ clientId: 'client-a', clientSecret: 'secret-a' }] });
});
afterAll(() => sandbox.close());

/** An attachment whose tenant `a` is client-a; `asked` lists each tenant its credentials were asked for. */
function attach(options: Partial<MultiTenantPaymentAuthOptions> = {}) {
  const asked: string[] = [];
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string): void =>
      void lines.push(`${level} ${message}`);
  const logger: PaymentAuthLogger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const auth = attachMultiTenantPaymentAuth(axios.create({ baseURL: `${sandbox.url}/api/v1` }), {
    credentials: (tenant) => {
      asked.push(tenant);
      return { clientId: `client-${tenant}`, clientSecret: `secret-${tenant}` };
    },
    logger,
    tokenRetries: 0,
    retry: false,
    ...options,
  });
  return { auth, asked, lines };
}

describe('a multi-tenant attachment at its edges', () => {
  it('uses the telemetry as given when telemetryTenant is not set: no attribute, no warning', async () => {
    const withAttributes = jest.fn(() => quietTelemetry());
    const { auth, lines } = attach({ telemetry: quietTelemetry({ withAttributes }) });
    await expect(auth.getAccessToken('a')).resolves.toEqual(expect.any(String));
    expect(withAttributes).not.toHaveBeenCalled();
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([]);
    auth.detach();
  });

  it("refuses getAccessToken after detach() with DETACHED, without asking for the tenant's credentials or caching it", async () => {
    const { auth, asked } = attach();
    auth.detach();
    const error = await rejection(auth.getAccessToken('a'));
    expect(error).toMatchObject({
      code: 'DETACHED',
      message: 'Payment auth was detached while a request was waiting. detach() ends every pending wait',
    });
    expect(asked).toEqual([]);
    expect(auth.tenants().cached).toBe(0);
    // A second detach() is a no-op, and the attachment stays detached.
    auth.detach();
    await expect(rejection(auth.getAccessToken('a'))).resolves.toMatchObject({ code: 'DETACHED' });
    expect(asked).toEqual([]);
  });

  it('invalidate() of a tenant it holds nothing for does nothing: no error, no tenant cached', () => {
    const { auth, asked } = attach();
    expect(() => auth.invalidate('never-seen')).not.toThrow();
    expect(auth.tenants().cached).toBe(0);
    expect(asked).toEqual([]);
    auth.detach();
  });
});
