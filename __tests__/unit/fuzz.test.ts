import fc from 'fast-check';
import nock from 'nock';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { attachPaymentAuth, isPaymentAuthError, parsePaymentError, type PaymentAuth } from '../../src';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';

// Seeded fuzzing of everything that reads outside input. A failing run prints its seed and path.
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

describe('parsePaymentError (fuzz)', () => {
  const body = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.json(),
    fc.record({
      error: fc.oneof(
        fc.anything(),
        fc.record({ code: fc.anything(), message: fc.anything(), request_id: fc.anything() }),
      ),
    }),
    fc.uint8Array().map((a) => Buffer.from(a)),
  );
  it('never throws and always returns the documented shape', () => {
    const apiError = fc
      .record({
        status: fc.integer({ min: 100, max: 599 }),
        data: body,
        headers: fc.dictionary(fc.string(), fc.anything()),
      })
      .map(
        ({ status, data, headers }) =>
          new AxiosError('x', 'ERR_BAD_RESPONSE', { headers: {} } as InternalAxiosRequestConfig, undefined, {
            status,
            statusText: '',
            data,
            headers,
            config: {},
          } as AxiosResponse),
      );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), apiError), (error) => {
        const info = parsePaymentError(error);
        return (
          (info.status === undefined || Number.isInteger(info.status)) &&
          typeof info.code === 'string' &&
          info.code !== '' &&
          typeof info.message === 'string' &&
          (info.requestId === undefined || typeof info.requestId === 'string') &&
          typeof info.retryable === 'boolean' &&
          typeof info.unauthorized === 'boolean'
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('the bearer scope through a real axios instance and real servers (fuzz)', () => {
  // The oracle does not parse URLs the way the code under test does: it looks at where each request
  // really arrived (which server's socket, under which Host) and what Authorization it carried.
  // 127.0.0.1:<a> is the API (and its token endpoints); 127.0.0.1:<c> and 127.0.0.2:<b> are other
  // origins, and so is the API's port reached under another name (localhost).
  const TOKEN = 'fuzz-bearer-token';
  const TOKEN_PATHS = new Set(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
  let apiServer: RecordingServer;
  let sameHost: RecordingServer;
  let otherHost: RecordingServer;
  let api: AxiosInstance;
  let auth: PaymentAuth;

  beforeAll(async () => {
    // Node's own http client, not nock's interceptor (loaded by the setup file), which rejects some
    // of the URLs that Node sends.
    nock.restore();
    apiServer = await startRecordingServer('127.0.0.1', (req, res) => {
      const tokenCall =
        req.method === 'POST' &&
        req.url === '/api/v1/oauth2/token' &&
        req.body.includes('grant_type=client_credentials');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(tokenCall ? { access_token: TOKEN, token_type: 'Bearer', expires_in: 900 } : {}));
    });
    sameHost = await startRecordingServer('127.0.0.1');
    otherHost = await startRecordingServer('127.0.0.2');
    api = axios.create({
      baseURL: `${apiServer.url}/api/v1`,
      timeout: 2000,
      maxRedirects: 0,
      validateStatus: () => true,
      // Only loopback names resolve: no fuzzed host name reaches a real DNS server.
      lookup: async (hostname: string) => {
        if (hostname === 'localhost') return ['127.0.0.1', 4];
        throw Object.assign(new Error(`no DNS in this test (${hostname})`), { code: 'ENOTFOUND' });
      },
    });
    auth = attachPaymentAuth(api, { clientId: 'id', clientSecret: 'secret' }, { retry: false });
  });
  afterAll(async () => {
    auth.detach();
    await Promise.all([apiServer.close(), sameHost.close(), otherHost.close()]);
  });

  it('sends the bearer only to the API origin, never to a token endpoint, and on every normal API path', async () => {
    const a = new URL(apiServer.url);
    const A = apiServer.url;
    const B = otherHost.url;
    const C = sameHost.url;
    const hostA = a.host;
    const hostB = new URL(B).host;
    const hostC = new URL(C).host;
    const servers = [apiServer, sameHost, otherHost];
    const counts = { apiWithBearer: 0, elsewhere: 0, refused: 0 };

    const baseURL = fc.constantFrom<string | undefined>(
      undefined, // the instance's own
      `${A}/api/v1`,
      `${A}/api/v1/`,
      `${A}/api/v1//`,
      A,
      `${A}/`,
      `${A}/api/v1/oauth2`,
      `${A}/api/v1?x=1`,
      `${A}/api/v1#f`,
      `HTTP://127.0.0.1:${a.port}/api/v1`,
      `http://127.1:${a.port}/api/v1`,
      `http://2130706433:${a.port}/api/v1`,
      `http://localhost:${a.port}/api/v1`,
      ` ${A}/api/v1`,
      `${A}/api/v1\n`,
      `\t${A}`,
      `${A}\\api\\v1`,
      `${B}/api/v1`,
      `${C}/api/v1`,
      `http://${hostA}@${hostB}/api/v1`,
      `http://${hostB}\\@${hostA}/api/v1`,
      `http://${hostB}#@${hostA}`,
      `//${hostA}/api/v1`,
      '',
      'not a url',
    );
    const piece = fc.constantFrom(
      '/',
      '//',
      '\\',
      '\\\\',
      '@',
      ':',
      '?',
      '#',
      '.',
      '..',
      '%2f',
      '%2F',
      '%40',
      '%5c',
      '%2e',
      '%2e%2e',
      '%00',
      '%',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      'payments',
      'payments/1',
      'api',
      'v1',
      'oauth2',
      'token',
      'refresh',
      'oauth2/token',
      'oauth2/refresh',
      '/api/v1/oauth2/token',
      'http:',
      'HTTP://',
      hostA,
      hostB,
      hostC,
      'localhost',
      '127.0.0.2',
      A,
      B,
      C,
    );
    const url = fc.oneof(
      fc.array(piece, { maxLength: 7 }).map((parts) => parts.join('')),
      fc.constantFrom(
        `${B}/x`,
        `//${hostB}/x`,
        `\\\\${hostB}\\x`,
        `http:\\\\${hostB}\\x`,
        `http:${hostB}/x`,
        `http://${hostA}@${hostB}/x`,
        `http://${hostB}#@${hostA}/`,
        `http://${hostB}\\@${hostA}/`,
        ` ${B}/x`,
        `\t${B}/x`,
        `${B}\n/x`,
        `${C}/api/v1/payments`,
        `${A}/api/v1/payments`,
        `${A}/api/v1/oauth2/token`,
        `${A}/api/v1/oauth2/refresh?x=1`,
        `HTTP://127.0.0.1:${a.port}/api/v1/payments`,
        `http://localhost:${a.port}/api/v1/payments`,
        `http://user:pw@${hostA}/api/v1/payments`,
      ),
      fc.string({ maxLength: 24 }),
    );
    const allowAbsoluteUrls = fc.constantFrom<boolean | undefined>(undefined, true, false);

    await fc.assert(
      fc.asyncProperty(baseURL, url, allowAbsoluteUrls, async (base, path, allow) => {
        const before = servers.map((s) => s.requests.length);
        const config = {
          ...(base === undefined ? {} : { baseURL: base }),
          ...(allow === undefined ? {} : { allowAbsoluteUrls: allow }),
        };
        try {
          await api.get(path, config);
        } catch (error) {
          // Acceptable failures: axios or Node refusing the URL or the connection, or our typed error.
          // (`instanceof TypeError` fails across the test's realm: compare the name.)
          if (!isPaymentAuthError(error) && !axios.isAxiosError(error) && (error as Error)?.name !== 'TypeError')
            throw error;
          counts.refused += 1;
        }
        servers.forEach((server, i) => {
          for (const r of server.requests.slice(before[i])) {
            const authorization = String(r.headers.authorization ?? '');
            const bearer = /^bearer /i.test(authorization);
            const pathOnly = r.url.split('?')[0]!;
            const atApiOrigin = server === apiServer && String(r.headers.host).toLowerCase() === hostA;
            const what = `${JSON.stringify({ baseURL: base, url: path, allowAbsoluteUrls: allow })} arrived at ${server.url} as ${r.method} ${r.url} (Host ${r.headers.host}) with ${authorization ? authorization.split(' ')[0] : 'no Authorization'}`;
            if (bearer && !atApiOrigin) throw new Error(`bearer sent to another origin: ${what}`);
            if (bearer && TOKEN_PATHS.has(pathOnly)) throw new Error(`bearer sent to a token endpoint: ${what}`);
            // A normal path: no empty segment (axios and a normaliser may join "//" differently).
            const normal = atApiOrigin && !TOKEN_PATHS.has(pathOnly) && !pathOnly.includes('//');
            // Credentials in the URL's user info are the caller's own: axios sends them as Basic.
            if (normal && !authorization.startsWith('Basic ') && authorization !== `Bearer ${TOKEN}`)
              throw new Error(`no bearer on an API call: ${what}`);
            if (bearer) counts.apiWithBearer += 1;
            if (!atApiOrigin) counts.elsewhere += 1;
          }
        });
      }),
      { numRuns: Math.min(RUNS, 400), seed: SEED },
    );
    // The property was not met vacuously: requests did reach the API, other origins, and failed.
    expect(counts.apiWithBearer).toBeGreaterThan(20);
    expect(counts.elsewhere).toBeGreaterThan(20);
    expect(counts.refused).toBeGreaterThan(20);
  });
});
