import { DEFAULT_MAX_TENANTS, MAX_MAX_TENANTS, splitTenantOptions } from '../../src/token/tenant-options';

// The options only attachMultiTenantPaymentAuth takes, split from those it shares with
// attachPaymentAuth.

const credentials = () => ({ clientId: 'client-1', clientSecret: 'secret-1' });

describe('splitTenantOptions', () => {
  it('keeps maxTenants, defaults it to 1000, and passes the other options on', () => {
    expect(splitTenantOptions({ credentials, maxTenants: 5, tokenTimeoutMs: 100 })).toEqual({
      tenants: { credentials, maxTenants: 5, telemetryTenant: undefined },
      rest: { tokenTimeoutMs: 100 },
    });
    expect(splitTenantOptions({ credentials }).tenants.maxTenants).toBe(DEFAULT_MAX_TENANTS);
    expect(DEFAULT_MAX_TENANTS).toBe(1000);
  });

  it('refuses a maxTenants that is not a number (a numeric string, a bigint, a boolean, null as from a missing variable) with the range in the message', () => {
    for (const maxTenants of ['10', 10n, true, null])
      expect(() => splitTenantOptions({ credentials, maxTenants } as never)).toThrow(
        new TypeError('attachMultiTenantPaymentAuth: maxTenants must be an integer from 1 to 1000000'),
      );
  });
  it(`accepts the largest bound, ${MAX_MAX_TENANTS}, and refuses one more, naming the range`, () => {
    expect(MAX_MAX_TENANTS).toBe(1_000_000);
    expect(splitTenantOptions({ credentials, maxTenants: MAX_MAX_TENANTS }).tenants.maxTenants).toBe(1_000_000);
    expect(() => splitTenantOptions({ credentials, maxTenants: MAX_MAX_TENANTS + 1 })).toThrow(
      new TypeError('attachMultiTenantPaymentAuth: maxTenants must be an integer from 1 to 1000000'),
    );
  });
});
