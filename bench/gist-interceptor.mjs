// The hand-written pattern found in countless gists and answers: a module-level token, an
// `isRefreshing` flag and a queue of requests waiting for the refresh. Written here only to be
// measured against; it is not part of the package.
import axios from 'axios';

export function attachGist(instance, { tokenUrl, credentials }) {
  let token;
  let isRefreshing = false;
  let queue = [];
  const fetchToken = async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    });
    const { data } = await axios.post(tokenUrl, body);
    return data.access_token;
  };
  const requestId = instance.interceptors.request.use((config) => {
    if (token) config.headers.Authorization = `Bearer ${token}`;
    return config;
  });
  const responseId = instance.interceptors.response.use(undefined, async (error) => {
    const original = error.config;
    if (error.response?.status !== 401 || original._retry) throw error;
    if (isRefreshing) {
      const fresh = await new Promise((resolve, reject) => queue.push({ resolve, reject }));
      original.headers.Authorization = `Bearer ${fresh}`;
      return instance(original);
    }
    original._retry = true;
    isRefreshing = true;
    try {
      token = await fetchToken();
      queue.forEach((p) => p.resolve(token));
      queue = [];
      original.headers.Authorization = `Bearer ${token}`;
      return instance(original);
    } catch (refreshError) {
      queue.forEach((p) => p.reject(refreshError));
      queue = [];
      throw refreshError;
    } finally {
      isRefreshing = false;
    }
  });
  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
