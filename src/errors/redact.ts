import { secretForms, secretSpellings } from './secret-forms';
import { showsUnescaped } from './unescape';

export { secretForms } from './secret-forms';

/** What replaces a secret or a token everywhere it could leave the package. */
export const REDACTED = '[REDACTED]';

/**
 * Longest form searched for inside the one pattern: V8 refuses a pattern with an alternative of
 * 32,768 characters or more ("Regular expression too large"), and other engines have limits of
 * their own. A longer form (of a long client assertion or key) is searched for as a plain string.
 */
const MAX_PATTERN_FORM = 8192;

/**
 * How a set of secrets is searched for: their forms (short ones in one pattern, long ones each on
 * their own), and their spellings, which unescaped text is compared with.
 */
interface SecretsSearch {
  /** Every form of {@link MAX_PATTERN_FORM} characters or fewer; undefined once the engine refused it. */
  pattern: RegExp | undefined;
  /** The forms searched for as plain strings, longest first (all of them once the pattern was refused). */
  plain: readonly string[];
  /** Every form, longest first. */
  forms: readonly string[];
  /** Every spelling of every secret (see `secretSpellings`). */
  spellings: readonly string[];
}

/** Patterns kept: one per set of secrets in use (a token may be 8 KiB, its forms several times that). */
const PATTERNS_KEPT = 8;
const searchCache = new Map<string, SecretsSearch>();

/**
 * One pattern for every form of every secret, longest first: a text is searched once, however
 * many secrets and forms there are (an error body of 200,000 strings is cleaned string by string);
 * forms too long for a pattern are searched for on their own. Never throws: should the engine
 * refuse the pattern, every form is searched for on its own. Cached per set of secrets.
 */
function searchFor(secrets: readonly string[]): SecretsSearch {
  const key = secrets.join('\u0000');
  const cached = searchCache.get(key);
  if (cached) return cached;
  const forms = [...new Set(secrets.flatMap((secret) => secretForms(secret)))].sort((a, b) => b.length - a.length);
  const short = forms.filter((form) => form.length <= MAX_PATTERN_FORM);
  const search: SecretsSearch = {
    pattern: undefined,
    plain: forms.filter((form) => form.length > MAX_PATTERN_FORM),
    forms,
    spellings: [...new Set(secrets.flatMap((secret) => secretSpellings(secret)))],
  };
  try {
    if (short.length)
      search.pattern = new RegExp(short.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  } catch {
    search.plain = forms;
  }
  if (searchCache.size >= PATTERNS_KEPT) searchCache.clear();
  searchCache.set(key, search);
  return search;
}

/**
 * `use` of the search's pattern; should the engine refuse the pattern (it compiles a pattern when
 * first used), every form is searched for as a plain string from then on, and `fallback` answers.
 */
function withPattern<T>(search: SecretsSearch, use: (pattern: RegExp) => T, fallback: () => T): T {
  if (search.pattern) {
    try {
      return use(search.pattern);
    } catch {
      search.pattern = undefined;
      search.plain = search.forms;
    }
  }
  return fallback();
}

/** `text` with every occurrence of each of `forms` (longest first) replaced. */
function replacePlain(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (form.length <= out.length && out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/** Replaces every occurrence of each secret in `text`, in every form of {@link secretForms}. */
function replaceForms(text: string, search: SecretsSearch): string {
  return withPattern(
    search,
    (pattern) => replacePlain(text, search.plain).replace(pattern, REDACTED),
    () => replacePlain(text, search.plain),
  );
}

/** Whether `text` holds a form of one of the secrets. */
function holdsForm(text: string, search: SecretsSearch): boolean {
  const plain = (): boolean => search.plain.some((form) => form.length <= text.length && text.includes(form));
  return withPattern(
    search,
    (pattern) => {
      if (plain()) return true;
      pattern.lastIndex = 0;
      return pattern.test(text);
    },
    plain,
  );
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
  // eslint-disable-next-line no-control-regex
  const clean = redactSecrets(text, secrets).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
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
