import type { GrantType } from './telemetry';

/** Any logger with these four methods: pino, winston, `console`, NestJS `Logger`. */
export interface PaymentAuthLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What the token hooks receive. Never a token or a secret: a fingerprint at most. */
export interface TokenEvent {
  /** How the token was obtained. */
  grant: GrantType;
  /** Short non-reversible fingerprint of the access token, to tell tokens apart in logs. */
  fingerprint: string;
  /** Increases by one with every new access token of this attachment. */
  generation: number;
  /** Lifetime of the token from when its request was sent, after clamping. */
  expiresInMs: number;
  /** How long the token endpoint took, retries included. */
  durationMs: number;
  /** On a multi-tenant attachment: the tenant the token is for. */
  tenant?: string;
}
