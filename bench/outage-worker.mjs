// One process of the fleet outage benchmark: the built package with a RedisTokenStore, under
// open-loop load when told "run <ms> <intervalMs>" on stdin; writes its outcomes as one JSON line.
import { createInterface } from 'node:readline';
import axios from 'axios';
import Redis from 'ioredis';
import { attachPaymentAuth } from '../dist/index.mjs';
import { RedisTokenStore } from '../dist/redis/index.mjs';
import { openLoop } from './open-loop.mjs';

const redis = new Redis(process.env.REDIS_URL);
const api = axios.create({ baseURL: `${process.env.SANDBOX_URL}/api/v1` });
const auth = attachPaymentAuth(
  api,
  { clientId: process.env.PAYMENT_CLIENT_ID, clientSecret: process.env.PAYMENT_CLIENT_SECRET },
  {
    retry: false,
    store: new RedisTokenStore({ client: redis, keyPrefix: `outage-${process.env.RUN_ID}:` }),
    ...JSON.parse(process.env.OPTIONS ?? '{}'),
  },
);

createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, ms, interval] = line.split(' ');
  if (command === 'run') {
    let openedAt;
    const outcomes = await openLoop({
      request: () => api.get('/payments'),
      intervalMs: Number(interval),
      durationMs: Number(ms),
      onTick(now) {
        if (openedAt === undefined && auth.status().breaker.state === 'open') openedAt = now;
      },
    });
    process.stdout.write(
      `${JSON.stringify({ outcomes, openedAt, shortCircuited: auth.status().counts.shortCircuited })}\n`,
    );
  } else if (command === 'exit') {
    auth.detach();
    redis.disconnect();
    process.exit(0);
  }
});
redis.once('ready', () => process.stdout.write('{"ready":true}\n'));
