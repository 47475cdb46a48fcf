import { createBff } from './app';

// PAYMENT_API_URL, PAYMENT_CLIENT_ID and PAYMENT_CLIENT_SECRET come from the environment (or a
// secrets manager); they never reach the browser.
const { app, auth } = createBff(process.env.PAYMENT_API_URL ?? 'http://127.0.0.1:4010/api/v1');
const server = app.listen(Number(process.env.PORT ?? 3001));
process.on('SIGTERM', () => {
  auth.detach();
  server.close();
});
