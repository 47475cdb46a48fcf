import { hasControlCharacter } from '../util/objects';

/** The longest tenant id accepted, in UTF-16 code units: an id, not a document. */
export const MAX_TENANT_LENGTH = 256;

/**
 * What is wrong with `value` as a tenant id, or undefined: a non-empty string of at most
 * {@link MAX_TENANT_LENGTH} characters, not blank, without control characters, well-formed
 * UTF-16 (no lone surrogate). Never quotes the
 * value (it may be anything a caller passed by mistake, a secret included).
 */
export function tenantProblem(value: unknown): string | undefined {
  if (typeof value !== 'string')
    return `the tenant must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  if (value.trim() === '') return value === '' ? 'the tenant is an empty string' : 'the tenant is blank';
  if (value.length > MAX_TENANT_LENGTH)
    return `the tenant is ${value.length} characters long, over the ${MAX_TENANT_LENGTH} allowed`;
  if (hasControlCharacter(value)) return 'the tenant holds a control character';
  // A lone surrogate (an id cut inside an emoji) has no UTF-8 form: no store key could hold it.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
    return 'the tenant holds a lone surrogate (not well-formed UTF-16)';
  return undefined;
}

/** `value` as a tenant id; a `TypeError` that says what is wrong (never the value) otherwise. */
export function checkTenant(value: unknown, where: string): string {
  const problem = tenantProblem(value);
  if (problem) throw new TypeError(`${where}: ${problem}`);
  return value as string;
}
