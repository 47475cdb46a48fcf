import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { isTlsClientAuth, type ClientAuthMethod, type TlsClientOptions } from '../options/client-auth-options';
import { builtinModule } from '../util/runtime';

/** The client certificate of an attachment, shared by its token calls and its API calls (RFC 8705 §3). */
export interface ClientCertificate {
  /** The agent that presents it: the token calls go through it. */
  agent: object;
  /**
   * Why an in-scope request would go out without the certificate (its own `httpsAgent` with
   * none or another, the fetch adapter, an `http:` URL), or undefined when it carries it.
   */
  problem(config: InternalAxiosRequestConfig): string | undefined;
  /** Takes the agent off the instance again, if the attachment put it there and it is still there. */
  restore(): void;
}

/** The TLS options of a Node `https.Agent` that decide which client certificate it presents. */
interface AgentTlsOptions {
  cert?: unknown;
  key?: unknown;
  passphrase?: unknown;
  pfx?: unknown;
  secureContext?: { context?: { getCertificate?: () => Uint8Array | null } };
}

interface NodeTls {
  createSecureContext(options: object): { context?: { getCertificate?: () => Uint8Array | null } };
}

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

const given = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

const optionsOf = (agent: unknown): AgentTlsOptions | undefined =>
  (agent as { options?: AgentTlsOptions } | undefined)?.options;

/** A certificate or key that no handshake could use: OpenSSL's code only, never the material. */
class UnusableCertificate extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * The leaf certificate (DER) that TLS options present, as OpenSSL reads them: the same certificate
 * compares equal whatever its form (PEM with any line ends, a chain, a PKCS#12 bundle, a secure
 * context). `null` when they present none (no certificate, or a certificate without its key);
 * `undefined` where the runtime cannot tell (no `node:tls` through `getBuiltinModule`).
 * @throws UnusableCertificate for a wrong passphrase, a key that is not the certificate's, or text that is not PEM.
 */
function presented(options: AgentTlsOptions | undefined, tls: NodeTls | undefined): Uint8Array | null | undefined {
  if (!options) return null;
  if (options.secureContext) return options.secureContext.context?.getCertificate?.() ?? null;
  if (!given(options.pfx) && (!given(options.cert) || !given(options.key))) return null;
  if (!tls) return undefined;
  try {
    const { cert, key, passphrase, pfx } = options;
    return tls.createSecureContext({ cert, key, passphrase, pfx }).context?.getCertificate?.() ?? null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UnusableCertificate(typeof code === 'string' ? code : 'unreadable');
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function usesFetch(adapter: unknown): boolean {
  return adapter === 'fetch' || (Array.isArray(adapter) && adapter[0] === 'fetch');
}

/**
 * Sets up the client certificate of an attachment, or returns undefined when it uses none (no
 * `tls` option, not a TLS method). Refuses, with a `TypeError`, every configuration in which the
 * API calls would go out without the certificate that the token calls present (a certificate-bound
 * token, RFC 8705 §3, would then fail on every call), and key material no handshake could use.
 * - `tls` given: an `https.Agent` with it becomes the instance's `httpsAgent` (given back by
 *   {@link ClientCertificate.restore}); an agent already there must present the same certificate.
 * - no `tls`, a TLS method: the instance's `httpsAgent` must present one; the token calls use it.
 */
export function setUpClientCertificate(
  instance: AxiosInstance,
  method: ClientAuthMethod,
  tlsOption: TlsClientOptions | undefined,
): ClientCertificate | undefined {
  if (!tlsOption && !isTlsClientAuth(method)) return undefined;
  if (usesFetch(instance.defaults.adapter))
    fail("mutual TLS needs axios's http adapter (Node): the fetch adapter has no client-certificate API");
  const tls = builtinModule<NodeTls>('node:tls');
  const leafOf = (options: AgentTlsOptions | undefined, what: string): Uint8Array | null | undefined => {
    try {
      return presented(options, tls);
    } catch (error) {
      fail(
        `${what} cannot be used (${(error as UnusableCertificate).code}): is the passphrase right, and is the key the certificate's?`,
      );
    }
  };
  const existing = instance.defaults.httpsAgent as unknown;
  let leaf: Uint8Array | null | undefined;
  let agent: object;
  let installed = false;
  if (tlsOption) {
    leaf = leafOf(tlsOption as AgentTlsOptions, 'the client certificate and key of the tls option');
    if (existing !== undefined) {
      const theirs = leafOf(optionsOf(existing), "the client certificate and key of the instance's httpsAgent");
      const matches =
        leaf && theirs ? same(leaf, theirs) : leaf === undefined && given(optionsOf(existing)?.cert) ? true : false;
      if (!matches)
        fail(
          "the instance's httpsAgent does not present the certificate of the tls option, so API calls would go out without it (certificate-bound tokens then fail): remove the agent and the package sets one, or create it with the same certificate and key",
        );
      agent = existing as object;
    } else {
      const https = builtinModule<{ Agent: new (options: object) => object }>('node:https');
      if (!https)
        fail(
          'the tls option needs Node 20.16 or later (process.getBuiltinModule); on other runtimes give the instance an https.Agent with the certificate instead',
        );
      // The agent holds a secure context, not the key's text or its passphrase: an API call's
      // AxiosError carries its config, and with it the agent and the options it was made with.
      const { ca, ...own } = tlsOption;
      agent = new https.Agent({
        secureContext: tls!.createSecureContext({ ...own, ...(ca === undefined ? {} : { ca }) }),
        keepAlive: true,
      });
      instance.defaults.httpsAgent = agent;
      installed = true;
    }
  } else {
    leaf = leafOf(optionsOf(existing), "the client certificate and key of the instance's httpsAgent");
    if (leaf === null)
      fail(
        `${method} needs a client certificate: pass tls: { cert, key }, or give the axios instance an httpsAgent made with one (cert and key, pfx, or a secureContext)`,
      );
    agent = existing as object;
  }
  // A request's own agent: the attachment's, or one that presents the same certificate.
  const checked = new WeakMap<object, boolean>();
  const presentsLeaf = (other: unknown): boolean => {
    if (other === agent) return true;
    if (typeof other !== 'object' || other === null || !leaf) return false;
    let ok = checked.get(other);
    if (ok === undefined) {
      try {
        const theirs = presented(optionsOf(other), tls);
        ok = theirs ? same(theirs, leaf) : false;
      } catch {
        ok = false;
      }
      checked.set(other, ok);
    }
    return ok;
  };
  return {
    agent,
    problem(config) {
      if (usesFetch(config.adapter))
        return 'this request uses the fetch adapter, which cannot present a client certificate';
      if (!/^https:/i.test(axios.getUri(config)))
        return 'this request is not https:, so it cannot present a client certificate';
      if (!presentsLeaf(config.httpsAgent))
        return "this request's httpsAgent does not present the attachment's client certificate";
      return undefined;
    },
    restore() {
      if (installed && instance.defaults.httpsAgent === agent) delete instance.defaults.httpsAgent;
    },
  };
}
