import type * as JoseModule from 'jose';

/**
 * panva's `jose`, loaded on first use: it is ES modules only (a CommonJS build loads without it),
 * and only `private_key_jwt` and DPoP need it, and the sandbox's checks of them (both builds keep
 * it external).
 */
export type Jose = typeof JoseModule;

let jose: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  // A failed load (a bundle without jose) is tried again on the next call, not kept.
  jose ??= import('jose').catch((error: unknown) => {
    jose = undefined;
    throw error;
  });
  return jose;
}
