import axios from 'axios';
import nock from 'nock';

// Jest loads nock anew for every test file while node:http is shared by the worker: restore it
// after each file, or the next file's nock wraps a torn-down interceptor.
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});

// `npm run test:runtimes` runs the integration tests a second time with axios's fetch adapter
// (Node's fetch, undici) as the default of every instance the tests create; the package's own
// token endpoint keeps its adapter list.
if (process.env.PAYMENT_AUTH_TEST_ADAPTER === 'fetch') axios.defaults.adapter = 'fetch';
