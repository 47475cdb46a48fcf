import fc from 'fast-check';
import nock from 'nock';
import axios, { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { attachPaymentAuth, isPaymentAuthError, parsePaymentError } from '../../src';

// Seeded fuzzing of everything that reads outside input. A failing run prints its seed and path.
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

describe('parsePaymentError (fuzz)', () => {
  const body = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.json(),
    fc.record({ error: fc.oneof(fc.anything(), fc.record({ code: fc.anything(), message: fc.anything(), request_id: fc.anything() })) }),
    fc.uint8Array().map((a) => Buffer.from(a)),
  );
  it('never throws and always returns the documented shape', () => {
    const apiError = fc.record({ status: fc.integer({ min: 100, max: 599 }), data: body, headers: fc.dictionary(fc.string(), fc.anything()) }).map(
      ({ status, data, headers }) => new AxiosError('x', 'ERR_BAD_RESPONSE', { headers: {} } as InternalAxiosRequestConfig, undefined, { status, statusText: '', data, headers, config: {} } as AxiosResponse),
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), apiError), (error) => {
        const info = parsePaymentError(error);
        return (
          (info.status === undefined || Number.isInteger(info.status)) &&
          typeof info.code === 'string' && info.code !== '' &&
          typeof info.message === 'string' &&
          (info.requestId === undefined || typeof info.requestId === 'string') &&
          typeof info.retryable === 'boolean' && typeof info.unauthorized === 'boolean'
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('the bearer scope through a real axios instance (fuzz)', () => {
  const API = 'https://api.example-pay.com';
  /** What the adapter was asked to send: the Authorization header and the real destination's origin. */
  const sent: { header: string | undefined; origin: string }[] = [];
  const api = axios.create({
    baseURL: `${API}/api/v1`,
    // A capture adapter: records what would be sent, never sends.
    adapter: async (config) => {
      // Where axios would really send it; a URL axios refuses is never sent (it throws here too).
      const origin = new URL(axios.getUri(config)).origin;
      sent.push({ header: config.headers.get('Authorization') as string | undefined, origin });
      return { data: {}, status: 200, statusText: 'OK', headers: {}, config };
    },
  });
  const auth = attachPaymentAuth(api, { clientId: 'id', clientSecret: 'secret' }, { retry: false });
  beforeAll(() => {
    nock.disableNetConnect();
    nock(API).post('/api/v1/oauth2/token').reply(200, { access_token: 'fuzz-token', token_type: 'Bearer', expires_in: 900 });
  });
  afterAll(() => {
    auth.detach();
    nock.cleanAll();
  });

  const hostile = fc.constantFrom(
    'https://api.example-pay.com@evil.com/x',
    'https://evil.com#@api.example-pay.com/',
    'https://api.example-pay.com.evil.com/x',
    'https://api.example-pay.com:8443/x',
    'http://api.example-pay.com/x',
    'https://API.EXAMPLE-PAY.COM./x',
    '//evil.com/x',
    '\\\\evil.com\\x',
    'https:\\\\evil.com',
    'https://evil.com\\@api.example-pay.com/',
    '\thttps://evil.com/',
    'https://xn--api-example-pay-com.evil/',
    'javascript:alert(1)',
    'file:///etc/passwd',
  );

  it('never attaches the token to a foreign origin, and never crashes but with a typed error', async () => {
    await api.get('/warm-up'); // one token call (nock), cached from here on
    expect(sent).toEqual([{ header: 'Bearer fuzz-token', origin: API }]);
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostile, fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), async (url) => {
        sent.length = 0;
        try {
          await api.get(url);
        } catch (error) {
          // The only acceptable failures: axios refusing the URL, or our own typed error.
          // (`instanceof TypeError` fails across the test's realm: compare the name.)
          if (!isPaymentAuthError(error) && !axios.isAxiosError(error) && (error as Error)?.name !== 'TypeError') return false;
        }
        return sent.every((s) => s.header === undefined || s.origin === API);
      }),
      { numRuns: Math.min(RUNS, 1000), seed: SEED },
    );
  });
});
