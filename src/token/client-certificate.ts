import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import {
  isTlsClientAuth,
  type ClientAuthMethod,
  type PemInput,
  type TlsClientOptions,
} from '../options/client-auth-options';

/** What is read of a Node `https.Agent`: the options it was made with. */
interface AgentLike {
  options?: { cert?: unknown; pfx?: unknown; secureContext?: unknown };
}

/** The client certificate of an attachment, shared by its token calls and its API calls (RFC 8705 §3). */
export interface ClientCertificate {
  /** The agent that presents it: the token calls go through it. */
  agent: object;
  /**
   * Why an in-scope request would go out without the certificate (its own `httpsAgent` without
   * it, or the fetch adapter), or undefined when it carries it.
   */
  problem(config: InternalAxiosRequestConfig): string | undefined;
  /** Takes the agent off the instance again, if the attachment put it there and it is still there. */
  restore(): void;
}

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

const text = (pem: unknown): string | undefined =>
  typeof pem === 'string' ? pem.trim() : pem instanceof Uint8Array ? new TextDecoder().decode(pem).trim() : undefined;

const given = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/**
 * Whether `agent` was made with a client certificate (`cert`, a PKCS#12 `pfx` or a `secureContext`),
 * and, when `expected` is given, with that one: among its `cert`s (a `pfx` or a `secureContext`
 * cannot be compared, and does not count then).
 */
function carries(agent: unknown, expected?: PemInput): boolean {
  const options = (agent as AgentLike | undefined)?.options;
  const cert = options?.cert;
  if (expected === undefined) return given(cert) || given(options?.pfx) || given(options?.secureContext);
  if (!given(cert)) return false;
  return (Array.isArray(cert) ? cert : [cert]).some((c) => text(c) === text(expected));
}

/** Node's `tls` module, where the runtime has `process.getBuiltinModule`. */
function nodeTls(): { createSecureContext(options: object): unknown } | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  return typeof getBuiltin === 'function'
    ? (getBuiltin('node:tls') as { createSecureContext(options: object): unknown } | undefined)
    : undefined;
}

/**
 * Refuses a `tls` option that no handshake could use (a wrong passphrase, a key that does not fit
 * the certificate, text that is not PEM): at attach, where it is a mistake in the options, not at
 * the first token call, where it would look like a network outage. Only OpenSSL's code is named.
 */
function checkUsable(tls: TlsClientOptions): void {
  const node = nodeTls();
  if (!node) return;
  try {
    node.createSecureContext(tls);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    fail(
      `the tls option's certificate and key cannot be used (${typeof code === 'string' ? code : 'unreadable'}): is the passphrase right, and is the key the certificate's?`,
    );
  }
}

function usesFetch(adapter: unknown): boolean {
  return adapter === 'fetch' || (Array.isArray(adapter) && adapter[0] === 'fetch');
}

/** Node's `https` module, where the runtime has `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno). */
function nodeHttps(): { Agent: new (options: object) => object } | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  return typeof getBuiltin === 'function'
    ? (getBuiltin('node:https') as { Agent: new (options: object) => object } | undefined)
    : undefined;
}

/**
 * Sets up the client certificate of an attachment, or returns undefined when it uses none (no
 * `tls` option, not a TLS method). Refuses, with a `TypeError`, every configuration in which the
 * API calls would go out without the certificate that the token calls present: a certificate-bound
 * token (RFC 8705 §3) would then fail on every call.
 * - `tls` given: an `https.Agent` with it becomes the instance's `httpsAgent` (given back by
 *   {@link ClientCertificate.restore}); an agent already there must carry the same certificate.
 * - no `tls`, a TLS method: the instance's `httpsAgent` must carry a certificate; the token calls use it.
 */
export function setUpClientCertificate(
  instance: AxiosInstance,
  method: ClientAuthMethod,
  tls: TlsClientOptions | undefined,
): ClientCertificate | undefined {
  if (!tls && !isTlsClientAuth(method)) return undefined;
  if (usesFetch(instance.defaults.adapter))
    fail("mutual TLS needs axios's http adapter (Node): the fetch adapter has no client-certificate API");
  const existing = instance.defaults.httpsAgent as unknown;
  let agent: object;
  let installed = false;
  if (tls) {
    checkUsable(tls);
    if (existing !== undefined) {
      if (!carries(existing, tls.cert))
        fail(
          "the instance's httpsAgent does not carry the certificate of the tls option, so API calls would go out without it (certificate-bound tokens then fail): remove the agent and the package sets one, or create it with the same cert and key",
        );
      agent = existing as object;
    } else {
      const https = nodeHttps();
      if (!https)
        fail(
          'the tls option needs Node 20.16 or later (process.getBuiltinModule); on other runtimes give the instance an https.Agent with the certificate instead',
        );
      agent = new https.Agent({ ...tls, keepAlive: true });
      instance.defaults.httpsAgent = agent;
      installed = true;
    }
  } else {
    if (!carries(existing))
      fail(
        `${method} needs a client certificate: pass tls: { cert, key }, or give the axios instance an httpsAgent made with one`,
      );
    agent = existing as object;
  }
  return {
    agent,
    problem(config) {
      if (usesFetch(config.adapter))
        return 'this request uses the fetch adapter, which cannot present a client certificate';
      if (!/^https:/i.test(axios.getUri(config)))
        return 'this request is not https:, so it cannot present a client certificate';
      if (config.httpsAgent !== agent && !carries(config.httpsAgent, tls?.cert))
        return "this request's httpsAgent does not carry the attachment's client certificate";
      return undefined;
    },
    restore() {
      if (installed && instance.defaults.httpsAgent === agent) delete instance.defaults.httpsAgent;
    },
  };
}
