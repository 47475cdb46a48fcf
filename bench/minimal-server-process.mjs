// Runs the minimal server in its own process, so the client's cost is measured on its own core.
import { startMinimalServer } from './minimal-server.mjs';

const server = await startMinimalServer();
process.stdout.write(
  `${JSON.stringify({ url: server.url, tokenUrl: server.tokenUrl, credentials: server.credentials })}\n`,
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
