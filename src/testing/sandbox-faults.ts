/** Routes of the sandbox that faults can target. `api` is every Payment API route. */
export type SandboxRoute = 'token' | 'refresh' | 'api';

/**
 * A fault to inject into the next calls of a route. Fields combine: `delayMs` then `status`.
 * With no `status`, `drop` or `malformed`, the call is delayed or held, then served normally.
 */
export interface SandboxFault {
  /** Answer with this status instead of serving the call. */
  status?: number;
  /** Body of the fault answer (an object is sent as JSON). @default an error envelope */
  body?: unknown;
  /** Extra headers of the fault answer. */
  headers?: Record<string, string>;
  /** Adds `Retry-After: <seconds>`. */
  retryAfterS?: number;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Closes the connection without an answer, after reading the request (nothing was done). */
  drop?: boolean;
  /**
   * Serves the call — a payment is created — then closes the connection without the answer: the
   * client cannot know the outcome (what idempotency keys are for).
   */
  dropAfterHandling?: boolean;
  /** Answers 200 with a truncated JSON body. */
  malformed?: boolean;
  /** Waits until this promise settles before going on: gates a call for concurrency tests. */
  hold?: Promise<unknown>;
  /**
   * Only calls of this client: at the token endpoints, the client the call names (Basic header or
   * `client_id`); at the API, the client its token was issued to. An outage of one tenant, for
   * tests of many. Other calls pass by the fault, which stays armed for this client.
   * @default every call
   */
  clientId?: string;
}

interface Armed {
  fault: SandboxFault;
  remaining: number;
}

/** Faults armed per route, consumed in order. */
export class FaultQueue {
  readonly #armed = new Map<SandboxRoute, Armed[]>();

  add(route: SandboxRoute, fault: SandboxFault, times: number): void {
    if (times !== Infinity && (!Number.isInteger(times) || times < 1))
      throw new TypeError('times must be a positive integer or Infinity');
    const list = this.#armed.get(route) ?? [];
    list.push({ fault, remaining: times });
    this.#armed.set(route, list);
  }

  /** The next fault armed for `route` that applies to a call of `clientId` (when known). */
  take(route: SandboxRoute, clientId?: string): SandboxFault | undefined {
    const list = this.#armed.get(route);
    if (!list) return undefined;
    const index = list.findIndex(({ fault }) => fault.clientId === undefined || fault.clientId === clientId);
    const armed = list[index];
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining === 0) list.splice(index, 1);
    return armed.fault;
  }

  /** Disarms the faults of `route`, or of every route. */
  clear(route?: SandboxRoute): void {
    if (route === undefined) this.#armed.clear();
    else this.#armed.delete(route);
  }
}

/** Describes a fault for the request log. */
export function describeFault(fault: SandboxFault): string {
  if (fault.drop) return 'drop';
  if (fault.dropAfterHandling) return 'drop after handling';
  if (fault.malformed) return 'malformed';
  if (fault.status !== undefined) return `status ${fault.status}`;
  if (fault.hold) return 'hold';
  return `delay ${fault.delayMs ?? 0}ms`;
}
