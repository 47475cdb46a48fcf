import { isTlsClientAuth, type ClientAuthMethod } from '../options/client-auth-options';
import type { ServerClock } from './server-clock';

/** `+12 s`, `-3 min`: an offset for a hint. */
function signed(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  return abs < 120_000 ? `${sign}${Math.round(abs / 1000)} s` : `${sign}${Math.round(abs / 60_000)} min`;
}

/**
 * What to check when the token endpoint rejected the client (`invalid_client`, a 401), by client
 * authentication method. `clock`: given when the server blamed a client assertion's times;
 * `description`: the server's `error_description`, when it names what it missed (a certificate).
 */
export function credentialsHint(method: ClientAuthMethod, clock?: ServerClock, description = ''): string {
  const tls = isTlsClientAuth(method);
  if (!tls && /\bcertificate\b/i.test(description))
    return "the server asks for a client certificate (mutual TLS, RFC 8705): set clientAuthMethod 'tls_client_auth' (or 'self_signed_tls_client_auth') with tls: { cert, key }";
  if (method === 'private_key_jwt') {
    if (clock) {
      const untrusted = clock.untrustedOffsetMs;
      return untrusted !== undefined
        ? `the server refused the assertion's times, and its Date header is ${signed(untrusted)} off this clock, more than is learned: fix this machine's clock (NTP) or set clockSkewMs`
        : clock.explicit
          ? `the server refused the assertion's times: clockSkewMs is ${signed(clock.offsetMs)}${clock.seenOffsetMs === undefined ? '' : `, the server's Date header says ${signed(clock.seenOffsetMs)}`}`
          : `the server refused the assertion's times (clock offset in use ${signed(clock.offsetMs)}): check this machine's clock (NTP), or set clockSkewMs`;
    }
    return "check clientId, that the server has the public key of privateKey for this client (keyId, algorithm), and the assertion's audience (issuer or assertionAudience)";
  }
  if (tls)
    return 'check clientId and the client certificate (tls, or the instance httpsAgent): the server must have it registered for this client, and trust its CA with tls_client_auth';
  return 'check clientId and clientSecret';
}
