import nock from 'nock';

// Jest loads nock anew for every test file while node:http is shared by the worker: restore it
// after each file, or the next file's nock wraps a torn-down interceptor.
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
