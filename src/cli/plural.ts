/** `1 token call`, `2 token calls`; `plural(2, 'retry', 'retries')`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
