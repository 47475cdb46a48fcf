import axios from 'axios';
import fc from 'fast-check';
import { attachPaymentAuth } from '../../src';
import { createScope } from '../../src/request/scope';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';
import type { InternalAxiosRequestConfig } from 'axios';

// The scope decision is cached per (allowAbsoluteUrls, baseURL, url). A cache key that two
// different inputs can share would hand one request the decision of another: the bearer would
// follow a crafted per-request baseURL to another origin.

const cfg = (baseURL: string, url: string) => ({ baseURL, url, headers: {} }) as unknown as InternalAxiosRequestConfig;

describe('the scope decision cache', () => {
  it('keeps apart a baseURL ending in a newline and a url starting with one', () => {
    const scope = createScope(new Set(['https://api.example-pay.com']), []);
    // Once joined with "\n", both read "https://api.example-pay.com\n\nhttp://evil.test/x".
    expect(scope.includes(cfg('https://api.example-pay.com', '\nhttp://evil.test/x'))).toBe(true); // a path on the API
    expect(scope.includes(cfg('https://api.example-pay.com\n', 'http://evil.test/x'))).toBe(false); // an absolute URL elsewhere
  });

  it('decides the same with a warm cache as with a cold one, for any split of the same characters', () => {
    const piece = fc.string({
      unit: fc.constantFrom('\n', '\r', '\t', ' ', '\u0000', '/', ':', '@', '\\', '.', 'a', 'h', 't', 'p', 's', '1'),
    });
    const bases = ['https://api.example-pay.com', 'https://api.example-pay.com/api/v1', 'http://evil.test'];
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        piece,
        piece,
        fc.constantFrom('http://evil.test/x', '/payments', 'https://api.example-pay.com/p'),
        (base, a, b, tail) => {
          const warm = createScope(new Set(['https://api.example-pay.com']), []);
          const inputs = [cfg(base + a, b + tail), cfg(base, a + b + tail), cfg(base + a + b, tail)];
          const warmDecisions = inputs.map((c) => warm.includes(c));
          const coldDecisions = inputs.map((c) =>
            createScope(new Set(['https://api.example-pay.com']), []).includes(c),
          );
          expect(warmDecisions).toEqual(coldDecisions);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('a crafted per-request baseURL', () => {
  let api: RecordingServer;
  let other: RecordingServer;
  beforeAll(async () => {
    api = await startRecordingServer('127.0.0.1', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        req.url === '/api/v1/oauth2/token'
          ? JSON.stringify({ access_token: 'at-scope', token_type: 'Bearer', expires_in: 900 })
          : '{}',
      );
    });
    other = await startRecordingServer('127.0.0.2');
  });
  afterAll(async () => {
    await api.close();
    await other.close();
  });

  it('never carries the bearer to another origin after a colliding request warmed the cache', async () => {
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    attachPaymentAuth(instance, { clientId: 'c', clientSecret: 'secret-1' });
    await instance.get(`\n${other.url}/x`, { baseURL: api.url });
    await instance.get(`${other.url}/x`, { baseURL: `${api.url}\n` });
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(api.requests.filter((r) => r.url !== '/api/v1/oauth2/token').map((r) => r.headers.authorization)).toEqual([
      'Bearer at-scope',
    ]);
  });
});
