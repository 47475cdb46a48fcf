import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { cleanAxiosError } from '../../src/errors/clean-axios-error';
import { REDACTED } from '../../src/errors/redact';

const TOKEN = 'tok_live_1234567890';
const CLEAN = `Bearer ${REDACTED}`;

function configWith(headers: unknown, data?: unknown): InternalAxiosRequestConfig {
  return { headers, data } as InternalAxiosRequestConfig;
}

function errorWith(parts: {
  config?: InternalAxiosRequestConfig;
  request?: unknown;
  response?: Partial<AxiosResponse>;
}): AxiosError {
  const error = new AxiosError('Request failed', 'ERR_BAD_RESPONSE', parts.config, parts.request);
  if (parts.response) error.response = { status: 401, statusText: '', headers: {}, ...parts.response } as AxiosResponse;
  return error;
}

/** A sent Node request as the http module leaves it: raw header block, header map, wrappers. */
function sentRequest() {
  const kOutHeaders = Symbol('kOutHeaders');
  const other = Symbol('kOther');
  const request = {
    method: 'POST',
    _header: `POST /v1 HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nX-Authorization: keep\r\nauthorization:\tBearer ${TOKEN}\r\nHost: api\r\n\r\n`,
    [kOutHeaders]: { authorization: ['Authorization', `Bearer ${TOKEN}`], host: ['Host', 'api'] },
    [other]: { authorization: ['Authorization', `Bearer ${TOKEN}`] },
    _redirectable: { _options: { headers: { Authorization: `Bearer ${TOKEN}` } } },
    interceptorRequest: { headers: { authorization: `Bearer ${TOKEN}`, accept: 'json' } },
  };
  return { request, kOutHeaders, other };
}

describe('cleanAxiosError: the request side', () => {
  it('returns the same error', () => {
    const error = errorWith({ config: configWith({}) });
    expect(cleanAxiosError(error)).toBe(error);
  });

  it('replaces Authorization in a plain header object, whatever its case, and nothing else', () => {
    const headers = { Authorization: `Bearer ${TOKEN}`, authorization: 'x', 'X-Other': TOKEN };
    cleanAxiosError(errorWith({ config: configWith(headers) }));
    expect(headers).toEqual({ Authorization: CLEAN, authorization: CLEAN, 'X-Other': TOKEN });
  });

  it('replaces Authorization in AxiosHeaders, and adds none where there was none', () => {
    const headers = new AxiosHeaders({ Authorization: `Bearer ${TOKEN}`, Accept: 'json' });
    cleanAxiosError(errorWith({ config: configWith(headers) }));
    expect(headers.get('Authorization')).toBe(CLEAN);
    expect(headers.get('Accept')).toBe('json');
    const without = new AxiosHeaders({ Accept: 'json' });
    cleanAxiosError(errorWith({ config: configWith(without) }));
    expect(without.has('Authorization')).toBe(false);
  });

  it('leaves immutable headers and odd header values alone without throwing', () => {
    const immutable = {
      has: () => true,
      set: () => {
        throw new TypeError('immutable');
      },
    };
    expect(() => cleanAxiosError(errorWith({ config: configWith(immutable) }))).not.toThrow();
    for (const odd of [null, undefined, 'Authorization: x', 42]) {
      expect(() => cleanAxiosError(errorWith({ config: configWith(odd) }))).not.toThrow();
    }
    const error = new AxiosError('no config');
    expect(() => cleanAxiosError(error)).not.toThrow();
  });

  it('unpipes a stream request body, and only a stream', () => {
    const unpipe = jest.fn();
    cleanAxiosError(errorWith({ config: configWith({}, { pipe: () => undefined, unpipe }) }));
    expect(unpipe).toHaveBeenCalledTimes(1);
    // Something with pipe but no unpipe is not a stream body to unpipe.
    expect(() =>
      cleanAxiosError(errorWith({ config: configWith({}, { pipe: () => undefined, unpipe: 1 }) })),
    ).not.toThrow();
    const notPiped = jest.fn();
    cleanAxiosError(errorWith({ config: configWith({}, { pipe: 1, unpipe: notPiped }) }));
    expect(notPiped).not.toHaveBeenCalled();
  });

  it('replaces the request with a frozen summary of its string fields', () => {
    const { request } = sentRequest();
    const error = errorWith({
      config: configWith({}),
      request: { ...request, protocol: 'https:', host: 'api', path: '/v1' },
    });
    cleanAxiosError(error);
    expect(error.request).toEqual({ method: 'POST', protocol: 'https:', host: 'api', path: '/v1', redacted: true });
    expect(Object.isFrozen(error.request)).toBe(true);
    const odd = errorWith({ config: configWith({}), request: { method: 1, protocol: {}, host: null, path: ['/'] } });
    cleanAxiosError(odd);
    expect(odd.request).toEqual({
      method: undefined,
      protocol: undefined,
      host: undefined,
      path: undefined,
      redacted: true,
    });
  });

  it('keeps a request that is not an object, and adds none where there was none', () => {
    const error = errorWith({ config: configWith({}), request: 'GET /' });
    cleanAxiosError(error);
    expect(error.request).toBe('GET /');
    const none = errorWith({ config: configWith({}) });
    cleanAxiosError(none);
    expect('request' in none && none.request !== undefined).toBe(false);
  });

  it("cleans the response's config headers and summarises its request", () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const error = errorWith({
      config: configWith({}),
      response: { config: configWith(headers), request: { method: 'GET', _header: TOKEN } },
    });
    cleanAxiosError(error);
    expect(headers.Authorization).toBe(CLEAN);
    expect(error.response!.request).toEqual({
      method: 'GET',
      protocol: undefined,
      host: undefined,
      path: undefined,
      redacted: true,
    });
    const without = errorWith({ config: configWith({}), response: { config: configWith({}) } });
    cleanAxiosError(without);
    expect(without.response!.request).toBeUndefined();
  });
});

describe('cleanAxiosError: a stream error body', () => {
  function streamError() {
    const { request, kOutHeaders, other } = sentRequest();
    const socket = {
      _httpMessage: request as unknown,
      fetchRequest: { headers: { Authorization: `Bearer ${TOKEN}` } },
    };
    const data = { pipe: () => undefined, req: request, socket };
    const error = errorWith({ config: configWith({}), response: { data } });
    return { error, request, socket, kOutHeaders, other };
  }

  it('cleans the raw header block line by line, in any case, and only Authorization lines', () => {
    const { error, request } = streamError();
    cleanAxiosError(error);
    expect(request._header).toBe(
      `POST /v1 HTTP/1.1\r\nAuthorization: ${CLEAN}\r\nX-Authorization: keep\r\nauthorization:\t${CLEAN}\r\nHost: api\r\n\r\n`,
    );
  });

  it("cleans the header map under Node's kOutHeaders symbol only", () => {
    const { error, request, kOutHeaders, other } = streamError();
    cleanAxiosError(error);
    const symbols = request as unknown as Record<symbol, unknown>;
    expect(symbols[kOutHeaders]).toEqual({ authorization: ['Authorization', CLEAN], host: ['Host', 'api'] });
    expect(symbols[other]).toEqual({ authorization: ['Authorization', `Bearer ${TOKEN}`] });
  });

  it('cleans the follow-redirects options and headers hung on the request and its socket', () => {
    const { error, request, socket } = streamError();
    cleanAxiosError(error);
    expect(request._redirectable._options.headers.Authorization).toBe(CLEAN);
    expect(request.interceptorRequest.headers).toEqual({ authorization: CLEAN, accept: 'json' });
    expect(socket.fetchRequest.headers.Authorization).toBe(CLEAN);
  });

  it('leaves a socket that carries another request by now alone', () => {
    const { error, socket } = streamError();
    const next = { _header: `GET / HTTP/1.1\r\nAuthorization: Bearer next\r\n\r\n` };
    socket._httpMessage = next;
    cleanAxiosError(error);
    expect(next._header).toContain('Bearer next');
    expect(socket.fetchRequest.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('leaves odd requests and header maps alone', () => {
    const kOutHeaders = Symbol('kOutHeaders');
    for (const req of [undefined, null, 'req', { _header: 42, [kOutHeaders]: { authorization: 'not-an-array' } }]) {
      const error = errorWith({
        config: configWith({}),
        response: { data: { pipe: () => undefined, req, socket: null } },
      });
      expect(() => cleanAxiosError(error)).not.toThrow();
    }
    const map = { authorization: 'not-an-array' };
    const req = { [kOutHeaders]: map };
    cleanAxiosError(errorWith({ config: configWith({}), response: { data: { pipe: () => undefined, req } } }));
    expect(map.authorization).toBe('not-an-array');
  });

  it('cleans the secrets from the Node response headers and raw headers', () => {
    const { error } = streamError();
    const data = error.response!.data as Record<string, unknown>;
    data.headers = { 'www-authenticate': `Bearer error="invalid_token" token="${TOKEN}"` };
    data.rawHeaders = ['WWW-Authenticate', `Bearer token="${TOKEN}"`];
    cleanAxiosError(error, [TOKEN]);
    expect(data.headers).toEqual({ 'www-authenticate': `Bearer error="invalid_token" token="${REDACTED}"` });
    expect(data.rawHeaders).toEqual(['WWW-Authenticate', `Bearer token="${REDACTED}"`]);
  });

  it('keeps the stream body itself', () => {
    const { error } = streamError();
    const data = error.response!.data;
    cleanAxiosError(error, [TOKEN]);
    expect(error.response!.data).toBe(data);
  });
});

describe('cleanAxiosError: what the API sent back', () => {
  function withBody(data: unknown, headers: Record<string, unknown> = {}) {
    return errorWith({ config: configWith({}), response: { data, headers } as Partial<AxiosResponse> });
  }
  function cleaned(data: unknown, secrets = [TOKEN]) {
    const error = withBody(data);
    cleanAxiosError(error, secrets);
    return error.response!.data;
  }

  it('cleans string and array header values, and reassigns only what changed', () => {
    const assigned: string[] = [];
    const headers: Record<string, unknown> = {};
    const values: Record<string, unknown> = {
      'www-authenticate': `Bearer token="${TOKEN}"`,
      'x-echo': ['a', TOKEN, 3],
      'x-same': 'nothing',
      'x-list': ['a', 'b'],
      'x-number': 7,
    };
    for (const key of Object.keys(values)) {
      Object.defineProperty(headers, key, {
        enumerable: true,
        get: () => values[key],
        set: (v: unknown) => {
          assigned.push(key);
          values[key] = v;
        },
      });
    }
    cleanAxiosError(withBody('', headers), [TOKEN]);
    expect(values).toEqual({
      'www-authenticate': `Bearer token="${REDACTED}"`,
      'x-echo': ['a', REDACTED, 3],
      'x-same': 'nothing',
      'x-list': ['a', 'b'],
      'x-number': 7,
    });
    expect(assigned.sort()).toEqual(['www-authenticate', 'x-echo']);
  });

  it('touches nothing the API sent without secrets to look for', () => {
    for (const secrets of [undefined, []]) {
      const headers = { 'www-authenticate': TOKEN };
      const error = withBody(`quoted ${TOKEN}`, headers);
      cleanAxiosError(error, secrets);
      expect(error.response!.data).toBe(`quoted ${TOKEN}`);
      expect(headers['www-authenticate']).toBe(TOKEN);
    }
  });

  it('cleans a text body', () => {
    expect(cleaned(`{"error":"bad token ${TOKEN}"}`)).toBe(`{"error":"bad token ${REDACTED}"}`);
  });

  it('cleans a byte body into bytes of the same kind, and keeps one that quotes nothing', () => {
    const buffer = Buffer.from(`bad ${TOKEN}`);
    const out = cleaned(buffer);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect((out as Buffer).toString()).toBe(`bad ${REDACTED}`);

    const view = cleaned(new TextEncoder().encode(`bad ${TOKEN}`));
    expect(view).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(new TextDecoder().decode(view as Uint8Array)).toBe(`bad ${REDACTED}`);

    const arrayBuffer = new TextEncoder().encode(`bad ${TOKEN}`).buffer;
    const outBuffer = cleaned(arrayBuffer);
    expect(outBuffer).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(outBuffer as ArrayBuffer)).toBe(`bad ${REDACTED}`);

    const harmless = Buffer.from('nothing');
    expect(cleaned(harmless)).toBe(harmless);
    const harmlessBuffer = new TextEncoder().encode('nothing').buffer;
    expect(cleaned(harmlessBuffer)).toBe(harmlessBuffer);
  });

  it('reads a view of bytes from its own offset and length only', () => {
    const whole = Buffer.from(`${TOKEN}|bad ${TOKEN}|${TOKEN}`);
    const start = TOKEN.length + 1;
    const view = new Uint8Array(whole.buffer, whole.byteOffset + start, `bad ${TOKEN}`.length);
    expect(new TextDecoder().decode(cleaned(view) as Uint8Array)).toBe(`bad ${REDACTED}`);
    const untouched = new Uint8Array(whole.buffer, whole.byteOffset + start, 3);
    expect(cleaned(untouched)).toBe(untouched);
  });

  it('decodes byte bodies of any size, a Buffer staying a Buffer and an ArrayBuffer an ArrayBuffer', () => {
    const size = 2 * 1024 * 1024;
    const buffer = Buffer.alloc(size, 'a');
    buffer.write(TOKEN, size - 100);
    const clean = cleaned(buffer) as Buffer;
    expect(Buffer.isBuffer(clean)).toBe(true);
    expect(clean.toString()).not.toContain(TOKEN);
    expect(clean.toString()).toContain(REDACTED);
    const array = new ArrayBuffer(size);
    new Uint8Array(array).set(Buffer.from(TOKEN), size - 100);
    const cleanArray = cleaned(array);
    expect(cleanArray).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(cleanArray as ArrayBuffer)).toContain(REDACTED);
  });

  it('replaces an object body that quotes a secret by its cleaned JSON copy, keys included', () => {
    class Envelope {
      get error() {
        return { message: `refused ${TOKEN}`, [TOKEN]: 1 };
      }
      toJSON() {
        return { error: this.error };
      }
    }
    expect(cleaned(new Envelope())).toEqual({ error: { message: `refused ${REDACTED}`, [REDACTED]: 1 } });
    const deep = { a: [{ b: { c: TOKEN } }] };
    expect(cleaned(deep)).toEqual({ a: [{ b: { c: REDACTED } }] });
  });

  it('keeps an object body that quotes nothing, streams and readers as they are', () => {
    const plain = Object.freeze({ error: { message: 'refused' } });
    expect(cleaned(plain)).toBe(plain);
    const readable = { getReader: () => undefined, text: TOKEN };
    expect(cleaned(readable)).toBe(readable);
    const piped = { pipe: () => undefined, text: TOKEN };
    expect(cleaned(piped)).toBe(piped);
    for (const scalar of [null, undefined, 0, false, 12]) expect(cleaned(scalar)).toBe(scalar);
  });

  it('cleans bodies JSON cannot take or hides: cycles, BigInts, a toJSON that returns nothing', () => {
    const cycle: Record<string, unknown> = { text: TOKEN };
    cycle.self = cycle;
    const cleanCycle = cleaned(cycle) as Record<string, unknown>;
    expect(cleanCycle.text).toBe(REDACTED);
    expect(cleanCycle.self).toBe(cleanCycle);
    expect(cleaned({ text: TOKEN, n: 1n })).toEqual({ text: REDACTED, n: '1' });
    expect(cleaned({ toJSON: () => undefined, text: TOKEN })).toMatchObject({ text: REDACTED });
  });

  it('keeps the cleaned text when a secret spanned JSON syntax', () => {
    // JSON.stringify gives {"a":1,"b":2}; the secret `1,"b` covers a comma and a quote.
    expect(cleaned({ a: 1, b: 2 }, ['1,"b'])).toBe(`{"a":${REDACTED}":2}`);
  });

  it('still cleans the body when the headers refuse cleaning, and the other way round', () => {
    const headers = {};
    Object.defineProperty(headers, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    const error = withBody(`quoted ${TOKEN}`, headers);
    expect(() => cleanAxiosError(error, [TOKEN])).not.toThrow();
    expect(error.response!.data).toBe(`quoted ${REDACTED}`);

    const body = {};
    Object.defineProperty(body, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    const plainHeaders = { 'www-authenticate': TOKEN };
    const other = withBody(body, plainHeaders);
    expect(() => cleanAxiosError(other, [TOKEN])).not.toThrow();
    expect(other.response!.data).toBe(body);
    expect(plainHeaders['www-authenticate']).toBe(REDACTED);
  });
});

describe('cleanAxiosError: a token escaped inside a JSON string of the body', () => {
  it('replaces that string alone and keeps the body an object', () => {
    const token = 'tok/AbC+dEf/123=';
    const error = errorWith({
      config: configWith({}),
      response: { data: { error: { message: 'Bearer tok\\/AbC+dEf\\/123= is not allowed', code: 'FORBIDDEN' } } },
    });
    cleanAxiosError(error, [token]);
    expect(error.response!.data).toEqual({ error: { message: REDACTED, code: 'FORBIDDEN' } });
  });
});

describe('cleanAxiosError: a secret misread as Latin-1 in a body with other non-Latin-1 text', () => {
  it('replaces that string alone', () => {
    const error = errorWith({
      config: configWith({}),
      response: { data: { amount: '10 €', detail: 'client_secret motdepassÃ© refused' } },
    });
    cleanAxiosError(error, ['motdepassé']);
    expect(error.response!.data).toEqual({ amount: '10 €', detail: REDACTED });
  });
});

describe('cleanAxiosError: the reason phrase and deep bodies', () => {
  it('cleans the status line reason phrase', () => {
    const error = errorWith({ config: configWith({}), response: { statusText: `Forbidden for Bearer ${TOKEN}` } });
    cleanAxiosError(error, [TOKEN]);
    expect(error.response!.statusText).toBe(`Forbidden for Bearer ${REDACTED}`);
  });

  it('cleans a body nested too deep to walk, as text', () => {
    // As deep as JSON.stringify (and so a logger) can still print: deeper than a walk can go.
    const nest = (depth: number): unknown => {
      let body: unknown = { message: `Bearer ${TOKEN}` };
      for (let i = 0; i < depth; i++) body = { inner: body };
      return body;
    };
    let depth = 1000;
    for (let next = depth; ; next += 500) {
      try {
        JSON.stringify(nest(next));
        depth = next;
      } catch {
        break;
      }
    }
    const error = errorWith({ config: configWith({}), response: { data: nest(depth) } });
    cleanAxiosError(error, [TOKEN]);
    const data = error.response!.data;
    expect(typeof data === 'string' ? data : JSON.stringify(data)).not.toContain(TOKEN);
  });
});

describe('cleanAxiosError: odd parts of a sent request and of a response', () => {
  it("cleans a request whose kOutHeaders map is null (Node's value before any header is set)", () => {
    const kOutHeaders = Symbol('kOutHeaders');
    const req = { _header: `GET / HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`, [kOutHeaders]: null };
    const error = errorWith({ config: configWith({}), response: { data: { pipe: () => undefined, req } } });
    expect(() => cleanAxiosError(error)).not.toThrow();
    expect(req._header).toBe(`GET / HTTP/1.1\r\nAuthorization: ${CLEAN}\r\n\r\n`);
  });

  it('touches a kOutHeaders value only when it is an object: a function carrying an authorization pair is left as it is', () => {
    const kOutHeaders = Symbol('kOutHeaders');
    const map = Object.assign(() => undefined, { authorization: ['Authorization', `Bearer ${TOKEN}`] });
    Object.freeze(map);
    const req = { [kOutHeaders]: map };
    const error = errorWith({ config: configWith({}), response: { data: { pipe: () => undefined, req } } });
    expect(() => cleanAxiosError(error)).not.toThrow();
    expect(map.authorization).toEqual(['Authorization', `Bearer ${TOKEN}`]);
  });

  it('cleans the headers of a response that has no reason phrase, and leaves it without one', () => {
    const headers = { 'www-authenticate': `Bearer token="${TOKEN}"` };
    const error = errorWith({ config: configWith({}), response: { headers } });
    error.response!.statusText = undefined as unknown as string;
    cleanAxiosError(error, [TOKEN]);
    expect(headers['www-authenticate']).toBe(`Bearer token="${REDACTED}"`);
    expect(error.response!.statusText).toBeUndefined();
  });

  it('replaces an object body with a headers field by a cleaned copy, and leaves the one the API sent untouched', () => {
    const sent = { headers: { 'www-authenticate': `Bearer token="${TOKEN}"` }, rawHeaders: ['X-Echo', TOKEN] };
    const error = errorWith({ config: configWith({}), response: { data: sent } });
    cleanAxiosError(error, [TOKEN]);
    expect(error.response!.data).not.toBe(sent);
    expect(error.response!.data).toEqual({
      headers: { 'www-authenticate': `Bearer token="${REDACTED}"` },
      rawHeaders: ['X-Echo', REDACTED],
    });
    expect(sent).toEqual({ headers: { 'www-authenticate': `Bearer token="${TOKEN}"` }, rawHeaders: ['X-Echo', TOKEN] });
  });

  it('returns an object body that quotes nothing as the same object, even when its JSON text lists keys out of the usual order', () => {
    // A Proxy may list its keys in any order: JSON.parse would put the index key first.
    const body = new Proxy({ '1': 'one', message: 'refused' }, { ownKeys: () => ['message', '1'] });
    expect(JSON.stringify(body)).toBe('{"message":"refused","1":"one"}');
    const error = errorWith({ config: configWith({}), response: { data: body } });
    cleanAxiosError(error, [TOKEN]);
    expect(error.response!.data).toBe(body);
  });
});

describe('cleanAxiosError: secrets a body quotes in spellings and escapings that are not written out', () => {
  function cleanedBody(data: unknown, secrets: string[]) {
    const error = errorWith({ config: configWith({}), response: { data } });
    cleanAxiosError(error, secrets);
    return error.response!.data;
  }

  it('replaces a string that quotes the token with every character escaped, and keeps the rest', () => {
    const token = 'tok_live_Kx9Qw2LpAbCdEf';
    const escaped = [...token].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const html = [...token].map((c) => `&#${c.charCodeAt(0)};`).join('');
    expect(cleanedBody({ error: { message: `refused ${escaped}`, page: html, code: 'FORBIDDEN' } }, [token])).toEqual({
      error: { message: REDACTED, page: REDACTED, code: 'FORBIDDEN' },
    });
    expect(cleanedBody(`<p>refused ${html}</p>`, [token])).toBe(REDACTED);
  });

  it('cleans a decomposed secret that the API composed, and one misread as windows-1252', () => {
    const nfd = 'Zu\u0308rich-Se\u0301cret-Kx9Qw2Lp';
    expect(cleanedBody({ detail: `bad ${nfd.normalize('NFC')}` }, [nfd])).toEqual({ detail: `bad ${REDACTED}` });
    const misread = 'Stra\u00c3\u0178e-Kx9Qw2Lp'; // the UTF-8 of ß (C3 9F) read as windows-1252
    expect(cleanedBody({ amount: '10 €', detail: `bad ${misread}` }, ['Straße-Kx9Qw2Lp'])).toEqual({
      amount: '10 €',
      detail: REDACTED,
    });
  });

  it('cleans a body that quotes a secret of 12,000 characters, in text and in an object', () => {
    const secret = 'Kx9Qw2Lp'.repeat(1_500);
    const hex = Buffer.from(secret).toString('hex');
    expect(cleanedBody(`invalid_client ${secret}`, [secret, TOKEN])).toBe(`invalid_client ${REDACTED}`);
    expect(cleanedBody({ dump: hex, other: TOKEN }, [secret, TOKEN])).toEqual({ dump: REDACTED, other: REDACTED });
  });

  it('cleans a body of a secret with a lone surrogate, as given and as it was sent', () => {
    const secret = 'pässwörd-Kx9Qw2Lp-\ud83d';
    expect(cleanedBody({ detail: `bad ${secret}`, sent: 'pässwörd-Kx9Qw2Lp-\ufffd' }, [secret])).toEqual({
      detail: `bad ${REDACTED}`,
      sent: REDACTED,
    });
  });
});
