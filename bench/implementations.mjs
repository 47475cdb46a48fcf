// The implementations compared, each behind the same small interface:
//   create({ baseURL, tokenUrl, credentials, agent }) → { get(path), close() }
import http from 'node:http';
import axios from 'axios';
import createAuthRefreshInterceptor from 'axios-auth-refresh';
import { OAuth2Client, OAuth2Fetch } from '@badgateway/oauth2-client';
import { attachPaymentAuth } from '../dist/index.mjs';
import { attachGist } from './gist-interceptor.mjs';

const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 256 });

async function fetchToken(tokenUrl, credentials) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
  });
  return (await axios.post(tokenUrl, body)).data.access_token;
}

export const IMPLEMENTATIONS = {
  /** The floor: plain axios with a static Authorization header, no interceptors. */
  plain: {
    label: 'plain axios (static header)',
    async create({ baseURL, tokenUrl, credentials }) {
      const token = await fetchToken(tokenUrl, credentials);
      const agent = keepAlive();
      const api = axios.create({ baseURL, httpAgent: agent, headers: { Authorization: `Bearer ${token}` } });
      return { api, get: (path) => api.get(path), close: () => agent.destroy() };
    },
  },
  ours: {
    label: 'axios-payment-auth',
    async create({ baseURL, credentials, options = {} }) {
      const agent = keepAlive();
      const api = axios.create({ baseURL, httpAgent: agent });
      const auth = attachPaymentAuth(api, credentials, { allowInsecureHttp: true, ...options });
      return { api, get: (path) => api.get(path), close: () => (auth.detach(), agent.destroy()), auth };
    },
  },
  authRefresh: {
    label: 'axios-auth-refresh 5.0.2',
    async create({ baseURL, tokenUrl, credentials }) {
      // As its README recommends: a request interceptor adds the stored token, refreshAuthLogic
      // fetches a new one on 401 and patches the failed request.
      const agent = keepAlive();
      const api = axios.create({ baseURL, httpAgent: agent });
      let token;
      api.interceptors.request.use((config) => {
        if (token) config.headers.Authorization = `Bearer ${token}`;
        return config;
      });
      createAuthRefreshInterceptor(api, async (failedRequest) => {
        token = await fetchToken(tokenUrl, credentials);
        failedRequest.response.config.headers.Authorization = `Bearer ${token}`;
      });
      return { api, get: (path) => api.get(path), close: () => agent.destroy() };
    },
  },
  gist: {
    label: 'gist interceptor (isRefreshing + queue)',
    async create({ baseURL, tokenUrl, credentials }) {
      const agent = keepAlive();
      const api = axios.create({ baseURL, httpAgent: agent });
      const detach = attachGist(api, { tokenUrl, credentials });
      return { api, get: (path) => api.get(path), close: () => (detach(), agent.destroy()) };
    },
  },
  badgateway: {
    label: '@badgateway/oauth2-client 3.3.1 (fetch)',
    async create({ baseURL, tokenUrl, credentials }) {
      const client = new OAuth2Client({
        server: new URL(tokenUrl).origin,
        tokenEndpoint: new URL(tokenUrl).pathname,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
      });
      const wrapper = new OAuth2Fetch({
        client,
        getNewToken: () => client.clientCredentials(),
        scheduleRefresh: false,
      });
      const base = baseURL.replace(/\/$/, '');
      return {
        get: async (path) => {
          const response = await wrapper.fetch(`${base}${path}`);
          if (!response.ok) throw Object.assign(new Error(`status ${response.status}`), { status: response.status });
          await response.arrayBuffer();
          return response;
        },
        close: () => undefined,
      };
    },
  },
};

/** The A/A control: a second, identical plain axios, measured in the same rounds as the others. */
IMPLEMENTATIONS.plain2 = { ...IMPLEMENTATIONS.plain, label: 'plain axios again (A/A control)' };
