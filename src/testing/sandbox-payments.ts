import { randomUUID } from 'node:crypto';

/** A payment as the sandbox stores and returns it. */
export interface SandboxPayment {
  id: string;
  amount: number;
  currency: string;
  status: 'succeeded';
  description?: string;
  created_at: string;
}

interface KeyedResult {
  fingerprint: string;
  paymentId: string;
}

/** Outcome of a create call. */
export type CreateOutcome =
  | { kind: 'created' | 'replayed'; payment: SandboxPayment }
  | { kind: 'invalid'; message: string }
  | { kind: 'key_reused' };

/** Payments per client, idempotent by `Idempotency-Key` (same key + same body = same payment). */
export class SandboxLedger {
  readonly #payments = new Map<string, SandboxPayment & { clientId: string }>();
  readonly #keys = new Map<string, KeyedResult>();

  create(clientId: string, body: unknown, idempotencyKey: string | undefined, now: number): CreateOutcome {
    const input = body as { amount?: unknown; currency?: unknown; description?: unknown } | null;
    if (typeof input !== 'object' || input === null) return { kind: 'invalid', message: 'body must be a JSON object' };
    if (typeof input.amount !== 'number' || !Number.isInteger(input.amount) || input.amount <= 0)
      return { kind: 'invalid', message: 'amount must be a positive integer (minor units)' };
    if (input.currency !== undefined && (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency)))
      return { kind: 'invalid', message: 'currency must be an ISO 4217 code' };
    const fingerprint = JSON.stringify([input.amount, input.currency ?? 'EUR', input.description ?? null]);
    const slot = idempotencyKey === undefined ? undefined : `${clientId}\u0000${idempotencyKey}`;
    if (slot !== undefined) {
      const previous = this.#keys.get(slot);
      if (previous) {
        if (previous.fingerprint !== fingerprint) return { kind: 'key_reused' };
        return { kind: 'replayed', payment: this.#public(this.#payments.get(previous.paymentId)!) };
      }
    }
    const payment = {
      id: `pay_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      amount: input.amount,
      currency: (input.currency as string | undefined) ?? 'EUR',
      status: 'succeeded' as const,
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      created_at: new Date(now).toISOString(),
      clientId,
    };
    this.#payments.set(payment.id, payment);
    if (slot !== undefined) this.#keys.set(slot, { fingerprint, paymentId: payment.id });
    return { kind: 'created', payment: this.#public(payment) };
  }

  get(clientId: string, id: string): SandboxPayment | undefined {
    const payment = this.#payments.get(id);
    return payment && payment.clientId === clientId ? this.#public(payment) : undefined;
  }

  list(clientId?: string): SandboxPayment[] {
    return [...this.#payments.values()]
      .filter((p) => clientId === undefined || p.clientId === clientId)
      .map((p) => this.#public(p));
  }

  #public(payment: SandboxPayment & { clientId: string }): SandboxPayment {
    const { clientId: _clientId, ...rest } = payment;
    return rest;
  }
}
