// One process of a fleet: the built package with a RedisTokenStore, driven line by line on stdin.
// "round N" → N concurrent GET /payments, then one JSON line with the outcome; "status" → the Redis
// client's status; "exit" → detach and quit.
const readline = require('node:readline');
const path = require('node:path');
const axios = require('axios');
const Redis = require('ioredis');
const dist = path.join(__dirname, '..', '..', 'dist');
const { attachPaymentAuth } = require(path.join(dist, 'index.js'));
const { RedisTokenStore } = require(path.join(dist, 'redis', 'index.js'));

const redis = new Redis(process.env.REDIS_URL, {
  retryStrategy: (times) => Math.min(times * 50, 300),
  maxRetriesPerRequest: 1,
});
redis.on('error', () => undefined); // outages are part of the test; the store reports them
let storeErrors = 0;
const api = axios.create({ baseURL: `${process.env.SANDBOX_URL}/api/v1` });
const auth = attachPaymentAuth(
  api,
  { clientId: process.env.PAYMENT_CLIENT_ID, clientSecret: process.env.PAYMENT_CLIENT_SECRET },
  {
    store: new RedisTokenStore({ client: redis, encryptionKey: process.env.STORE_KEY }),
    onStoreError: () => void (storeErrors += 1),
    retry: false,
  },
);

const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, arg] = line.trim().split(' ');
  if (command === 'round') {
    const results = await Promise.allSettled(Array.from({ length: Number(arg) }, () => api.get('/payments')));
    reply({
      ok: results.filter((r) => r.status === 'fulfilled').length,
      failed: results.filter((r) => r.status === 'rejected').map((r) => r.reason.code ?? r.reason.message),
      storeErrors,
    });
  } else if (command === 'status') {
    reply({ status: redis.status });
  } else if (command === 'exit') {
    auth.detach();
    redis.disconnect();
    process.exit(0);
  }
});
redis.once('ready', () => reply({ ready: true }));
