/**
 * Releases a response the caller never sees: a Node stream body is destroyed and a web stream
 * cancelled, so the connection is not held by a body nobody reads.
 */
export function releaseResponse(response: { data?: unknown } | undefined): void {
  const data = response?.data as
    | { pipe?: unknown; destroy?: () => void; getReader?: unknown; cancel?: () => Promise<void>; locked?: boolean }
    | undefined;
  if (!data || typeof data !== 'object') return;
  if (typeof data.pipe === 'function' && typeof data.destroy === 'function') data.destroy();
  else if (typeof data.getReader === 'function' && typeof data.cancel === 'function' && data.locked !== true)
    data.cancel().catch(() => undefined);
}
