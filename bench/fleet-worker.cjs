// One process of the fleet benchmark: the built package, with the default per-process store or a
// RedisTokenStore, sending steady traffic when told "run <ms>" on stdin.
const readline = require('node:readline');
const path = require('node:path');
const axios = require('axios');
const dist = path.join(__dirname, '..', 'dist');
const { attachPaymentAuth } = require(path.join(dist, 'index.js'));

let redis;
const options = { retry: false };
if (process.env.STORE === 'redis') {
  const Redis = require('ioredis');
  const { RedisTokenStore } = require(path.join(dist, 'redis', 'index.js'));
  redis = new Redis(process.env.REDIS_URL);
  options.store = new RedisTokenStore({ client: redis, keyPrefix: `bench-${process.env.RUN_ID}:` });
}
const api = axios.create({ baseURL: `${process.env.SANDBOX_URL}/api/v1` });
const auth = attachPaymentAuth(
  api,
  { clientId: process.env.PAYMENT_CLIENT_ID, clientSecret: process.env.PAYMENT_CLIENT_SECRET },
  options,
);

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, arg] = line.split(' ');
  if (command === 'run') {
    const until = Date.now() + Number(arg);
    let requests = 0;
    let failures = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (Date.now() < until) {
          requests += 1;
          await api.get('/payments').catch(() => void (failures += 1));
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );
    process.stdout.write(`${JSON.stringify({ requests, failures })}\n`);
  } else if (command === 'exit') {
    auth.detach();
    redis?.disconnect();
    process.exit(0);
  }
});
const ready = () => process.stdout.write('{"ready":true}\n');
if (redis) redis.once('ready', ready);
else ready();
