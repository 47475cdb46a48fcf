import { secretForms, secretSpellings } from './secret-forms';
import { showsUnescaped } from './unescape';

export { secretForms } from './secret-forms';

/** What replaces a secret or a token everywhere it could leave the package. */
export const REDACTED = '[REDACTED]';

/**
 * How a set of secrets is searched for: their forms, and their spellings, which unescaped text is
 * compared with.
 */
interface SecretsSearch {
  /** Every form of every secret, longest first. */
  forms: readonly string[];
  /** Every spelling of every secret (see `secretSpellings`). */
  spellings: readonly string[];
}

/** Searches kept: one per set of secrets in use (a token may be 8 KiB, its forms several times that). */
const SEARCHES_KEPT = 8;
const searchCache = new Map<string, SecretsSearch>();

/**
 * The forms of a set of secrets, each searched for as a plain string, longest first. Not one
 * pattern of them all: an engine compiles such a pattern in tens of milliseconds for the hundreds
 * of forms of a private key, and matches it slower than plain search (a megabyte: 200 ms against
 * 10 ms), and refuses one with an alternative of 32,768 characters or more (a long client
 * assertion). Cached per set of secrets.
 */
function searchFor(secrets: readonly string[]): SecretsSearch {
  const key = secrets.join('\u0000');
  const cached = searchCache.get(key);
  if (cached) return cached;
  const search: SecretsSearch = {
    forms: [...new Set(secrets.flatMap((secret) => secretForms(secret)))].sort((a, b) => b.length - a.length),
    spellings: [...new Set(secrets.flatMap((secret) => secretSpellings(secret)))],
  };
  if (searchCache.size >= SEARCHES_KEPT) searchCache.clear();
  searchCache.set(key, search);
  return search;
}

/**
 * `text` with every occurrence of each form replaced, longest first: a form inside a longer one
 * (a secret that holds another) is gone with it.
 */
function replaceForms(text: string, search: SecretsSearch): string {
  let out = text;
  for (const form of search.forms)
    if (form.length <= out.length && out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/** Whether `text` holds a form of one of the secrets. */
function holdsForm(text: string, search: SecretsSearch): boolean {
  return search.forms.some((form) => form.length <= text.length && text.includes(form));
}

/**
 * Replaces every occurrence of each secret in `text`, in every form of {@link secretForms}. The
 * base64 of a whole `client_id:client_secret` pair (an echoed Basic header) is among the secrets
 * the credentials give (see `CredentialSource.knownSecrets`). Should a secret still show once the
 * text's escapings are undone (a form not listed there: .NET's `\u002B`, PHP's `\/`, Python's
 * `quote`, an escaping inside another), the whole text is `[REDACTED]`: where it sits in the
 * escaped text cannot be told, and an unescaped copy would bring back what the escaping defused
 * (markup, control characters).
 * Used on text that comes from a server (an `error_description` may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const search = searchFor(liveSecrets(secrets));
  const out = replaceForms(text, search);
  return showsUnescaped(out, search.spellings) ? REDACTED : out;
}

/** The secrets worth looking for: four characters or more. */
function liveSecrets(secrets: readonly (string | undefined)[]): string[] {
  return secrets.filter((secret): secret is string => !!secret && secret.length >= 4);
}

/**
 * Whether `redactSecrets` would change `text` at all: a secret in a listed form, or one that shows
 * once the text is unescaped (with `extraPasses` more passes, for a text that wraps others in one
 * more escaping: the JSON text of a body whose strings may be escaped). One search of the text,
 * for a large body that is then only cleaned string by string when this says so.
 */
export function holdsSecret(text: string, secrets: readonly (string | undefined)[], extraPasses = 0): boolean {
  const search = searchFor(liveSecrets(secrets));
  return holdsForm(text, search) || showsUnescaped(text, search.spellings, extraPasses);
}

/**
 * Server text made safe to quote in an error or a log line: cleaned of every secret, control
 * characters (a forged log line, a terminal escape) replaced by spaces, and cut to `max`
 * characters.
 */
export function quoteServerText(text: string, secrets: readonly (string | undefined)[], max: number): string {
  // Control characters first: the text as it will be shown is the one searched (a secret with
  // spaces, echoed with tabs, would spell itself once they became spaces).
  // eslint-disable-next-line no-control-regex
  const clean = redactSecrets(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' '), secrets);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * A short, non-reversible fingerprint of a token for logs and hooks (FNV-1a, 32 bits, hex):
 * enough to tell two tokens apart, far too little to use one.
 */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
