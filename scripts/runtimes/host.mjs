// The loopback side of the runtime checks, in Node: sandboxes on demand (from the packed package's
// `axios-payment-auth/testing`), remote-controlled over HTTP so that a check running in Bun, Deno or
// a workerd isolate can start one, arm faults, revoke tokens and read its counters and request log;
// a redirector on one origin and a landing server on another, each recording whether an
// Authorization header reached it; and a Redis-over-HTTP key-value server for the token store check.
import { createServer } from 'node:http';

/** Starts an HTTP server on 127.0.0.1 and a free port. */
function listen(handler) {
  const server = createServer((req, res) => {
    handler(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body === '' ? {} : JSON.parse(body);
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value ?? null));
}

/**
 * Starts the host. `testing` is the packed package's testing entry; `kv` a started key-value
 * server's URL, passed through to the checks.
 * @returns {Promise<{ url: string, kvUrl: string | undefined, sandboxesStarted: () => number, close: () => Promise<void> }>}
 */
export async function startHost({ testing, kvUrl }) {
  const sandboxes = new Map();
  let started = 0;
  /** Authorization headers seen per redirect tag: at the redirector and at the landing origin. */
  const redirects = new Map();
  const seen = (tag) => {
    if (!redirects.has(tag)) redirects.set(tag, { atRedirector: [], atLanding: [] });
    return redirects.get(tag);
  };

  const landing = await listen(async (req, res) => {
    const tag = new URL(req.url, 'http://x').pathname.split('/')[2] ?? '';
    seen(tag).atLanding.push(req.headers.authorization ?? null);
    json(res, 200, { landed: tag });
  });

  const host = await listen(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const [, first, id, action] = url.pathname.split('/');
    if (first === 'info') return json(res, 200, { kvUrl, landingUrl: landing.url });
    if (first === 'redirect') {
      // An origin the checks list in apiOrigins (so the token is sent here), redirecting elsewhere.
      seen(id).atRedirector.push(req.headers.authorization ?? null);
      const status = Number(url.searchParams.get('status') ?? 302);
      res.writeHead(status, { location: `${landing.url}/landing/${id}` }).end();
      return undefined;
    }
    if (first === 'redirects') return json(res, 200, seen(id));
    if (first !== 'sandboxes') return json(res, 404, { error: 'no such route' });
    if (req.method === 'POST' && id === undefined) {
      const options = await readJson(req);
      const sandbox = await testing.startPaymentSandbox(options);
      started += 1;
      const key = String(started);
      sandboxes.set(key, sandbox);
      return json(res, 201, { id: key, url: sandbox.url, credentials: sandbox.credentials });
    }
    const sandbox = sandboxes.get(id);
    if (!sandbox) return json(res, 404, { error: `no sandbox ${id}` });
    if (req.method === 'GET' && action === undefined)
      return json(res, 200, { counters: sandbox.counters(), requests: sandbox.requests });
    if (req.method === 'DELETE') {
      sandboxes.delete(id);
      await sandbox.close();
      return json(res, 200, {});
    }
    const body = await readJson(req);
    if (action === 'fault') sandbox.injectFault(body.route, body.fault, body.times ?? 1);
    else if (action === 'revoke-access') sandbox.revokeAccessTokens();
    else if (action === 'revoke-refresh') sandbox.revokeRefreshTokens();
    else if (action === 'rotate-dpop-nonce') sandbox.rotateDpopNonce();
    else if (action === 'lifetimes') sandbox.setLifetimes(body);
    else return json(res, 404, { error: `no action ${action}` });
    return json(res, 200, {});
  });

  return {
    url: host.url,
    sandboxesStarted: () => started,
    async close() {
      await Promise.all([...sandboxes.values()].map((s) => s.close()));
      for (const { server } of [host, landing]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
