// A minimal loopback API for throughput and memory runs: it answers {} to any GET with a bearer,
// (or a DPoP token with a proof), and issues a fixed token at the token endpoint, so the server's own cost stays small and equal
// for every implementation.
import { createServer } from 'node:http';

export async function startMinimalServer() {
  const body = Buffer.from('{}');
  const tokenOf = (type) =>
    Buffer.from(
      JSON.stringify({
        access_token: 'bench-token',
        token_type: type,
        expires_in: 900,
        refresh_token: 'bench-refresh',
      }),
    );
  const token = tokenOf('Bearer');
  // A token request with a DPoP proof gets a DPoP token (the proof itself is not checked).
  const dpopToken = tokenOf('DPoP');
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      const answer = req.headers.dpop ? dpopToken : token;
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
        res.end(answer);
      });
      return;
    }
    const ok =
      req.headers.authorization === 'Bearer bench-token' ||
      (req.headers.authorization === 'DPoP bench-token' && req.headers.dpop);
    res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    credentials: { clientId: 'bench', clientSecret: 'bench-secret' },
    tokenUrl: `${url}/api/v1/oauth2/token`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}
