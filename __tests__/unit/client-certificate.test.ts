import { Agent } from 'node:https';
import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, type PaymentAuth } from '../../src';
import { testCerts } from '../_helpers/certs';

// Every request here is refused before it is sent: no call may reach the network.
beforeAll(() => nock.disableNetConnect());

const certs = testCerts();
const tls = { cert: certs.client.cert, key: certs.client.key };
const credentials = { clientId: 'client-1' };
const options = { clientAuthMethod: 'tls_client_auth' as const };

let auth: PaymentAuth | undefined;
afterEach(() => {
  auth?.detach();
  auth = undefined;
});

const instance = (httpsAgent?: Agent) => axios.create({ baseURL: 'https://pay.test/api/v1', httpsAgent });

describe("the instance's httpsAgent, without a tls option", () => {
  it('presents no certificate when its key is an empty list, and is refused at attach', () => {
    const httpsAgent = new Agent({ cert: certs.client.cert, key: [] });
    expect(() => attachPaymentAuth(instance(httpsAgent), credentials, options)).toThrow(
      new TypeError(
        'attachPaymentAuth: tls_client_auth needs a client certificate: pass tls: { cert, key }, or give the axios instance an httpsAgent made with one (cert and key, pfx, or a secureContext)',
      ),
    );
  });

  it('is taken when it has the certificate and its key', () => {
    const httpsAgent = new Agent({ cert: certs.client.cert, key: certs.client.key });
    const api = instance(httpsAgent);
    auth = attachPaymentAuth(api, credentials, options);
    expect(api.defaults.httpsAgent).toBe(httpsAgent);
  });
});

describe("a request's own httpsAgent", () => {
  it.each([
    ['null', null],
    ['false', false],
  ])('refuses a request whose httpsAgent is %s, before it is sent', async (_name, httpsAgent) => {
    const api = instance();
    auth = attachPaymentAuth(api, credentials, { ...options, tls });
    await expect(api.get('/payments', { httpsAgent })).rejects.toThrow(
      new TypeError(
        "axios-payment-auth: this request's httpsAgent does not present the attachment's client certificate; the attachment's token calls present a client certificate, and a certificate-bound token (RFC 8705 §3) works only with it",
      ),
    );
  });
});

describe('detach()', () => {
  it('takes away the agent that the tls option put on the instance', () => {
    const api = instance();
    auth = attachPaymentAuth(api, credentials, { ...options, tls });
    expect(api.defaults.httpsAgent).toBeInstanceOf(Agent);
    auth.detach();
    expect(api.defaults.httpsAgent).toBeUndefined();
  });

  it('leaves an agent that the caller put on the instance after attaching', () => {
    const api = instance();
    auth = attachPaymentAuth(api, credentials, { ...options, tls });
    const replacement = new Agent({ keepAlive: true });
    api.defaults.httpsAgent = replacement;
    auth.detach();
    expect(api.defaults.httpsAgent).toBe(replacement);
  });
});
