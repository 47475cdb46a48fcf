import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import {
  attachPaymentAuth,
  type BreakerOptions,
  type DpopKeyOptions,
  type IdempotencyOptions,
  type RetryOptions,
  type TlsClientOptions,
} from '../../src';
import { OPTION_KEYS } from '../../src/options/normalize';
import { keysOf } from '../../src/util/objects';

/*
 * `null` is what a missing environment variable becomes once parsed (`JSON.parse`, a config
 * loader): no option is documented to take it, so each one refuses it instead of taking its
 * default. The registries below must name every option (the compiler checks them), so a new
 * option is tested here too.
 */
const credentials = { clientId: 'id', clientSecret: 'secret-value-123' };

/** The TypeError that attaching with `options` throws, or undefined when the options are taken. */
function refusal(options: object): unknown {
  try {
    attachPaymentAuth(axios.create({ baseURL: 'https://api.example-pay.com/api/v1' }), credentials, options).detach();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Every option of attachPaymentAuth: the registry its unknown-option check uses, complete by the compiler. */
const TOP_LEVEL = OPTION_KEYS;

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  format: 'pem',
  type: 'pkcs8',
}) as string;

/** Each nested option, set to null inside an otherwise valid value of its parent. */
const NESTED: [string, (key: string) => object][] = [
  ...keysOf<BreakerOptions>({ failureThreshold: true, coolDownMs: true, maxCoolDownMs: true }).map(
    (key): [string, (k: string) => object] => [`breaker.${key}`, (k) => ({ breaker: { [k]: null } })],
  ),
  ...keysOf<RetryOptions>({
    retries: true,
    baseDelayMs: true,
    maxDelayMs: true,
    maxRetryAfterMs: true,
    onRetry: true,
  }).map((key): [string, (k: string) => object] => [`retry.${key}`, (k) => ({ retry: { [k]: null } })]),
  ...keysOf<IdempotencyOptions>({ headerName: true }).map((key): [string, (k: string) => object] => [
    `idempotency.${key}`,
    (k) => ({ idempotency: { [k]: null } }),
  ]),
  ...keysOf<DpopKeyOptions>({ privateKey: true, algorithm: true }).map((key): [string, (k: string) => object] => [
    `dpop.${key}`,
    (k) => ({ dpop: { privateKey: pem, [k]: null } }),
  ]),
  ...keysOf<TlsClientOptions>({ cert: true, key: true, passphrase: true, ca: true }).map(
    (key): [string, (k: string) => object] => [
      `tls.${key}`,
      (k) => ({ tls: { cert: '-----BEGIN CERTIFICATE-----', key: pem, [k]: null } }),
    ],
  ),
];

describe('attachPaymentAuth: null for an option (a missing environment variable, parsed)', () => {
  it.each(TOP_LEVEL.map((key) => [key]))('refuses %s: null with a TypeError that names it', (key) => {
    const error = refusal({ [key]: null });
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(key);
  });

  it.each(NESTED.map(([name, options]) => [name, options(name.split('.')[1]!)] as const))(
    'refuses %s: null with a TypeError that names it',
    (name, options) => {
      const error = refusal(options);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain(name);
    },
  );

  it('refuses tokenRequestFormat: null as it refuses any other value than form or json', () => {
    expect(refusal({ tokenRequestFormat: null })).toEqual(
      new TypeError("attachPaymentAuth: tokenRequestFormat must be 'form' or 'json', got null"),
    );
  });
});
