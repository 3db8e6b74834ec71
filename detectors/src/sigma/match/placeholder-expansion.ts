// The `expand` modifier: `%name%` placeholders in a value are replaced by each of the values the
// deployment defines for them (CompileOptions.placeholders), giving one value per combination. `\%` is a
// plain percent sign. A placeholder without values makes the rule unsupported: the specification requires
// a tool that cannot resolve a placeholder to reject the rule.
import { SigmaRuleError, SigmaUnsupportedError, type RuleLocation } from '../sigma-types.js';

const MAX_EXPANSIONS = 4096;

/** The values of `raw` with its placeholders replaced (raw Sigma strings, wildcards kept). */
export function expandPlaceholders(
  raw: string,
  placeholders: ReadonlyMap<string, readonly string[]> | undefined,
  location: RuleLocation,
): string[] {
  let results = [''];
  const append = (text: string): void => {
    results = results.map((result) => result + text);
  };
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char === '\\' && raw[i + 1] === '%') {
      append('%');
      i++;
      continue;
    }
    const close = char === '%' ? raw.indexOf('%', i + 1) : -1;
    if (close <= i + 1) {
      append(char);
      continue;
    }
    const name = raw.slice(i + 1, close);
    const values = placeholders?.get(name);
    if (!values || values.length === 0) {
      throw new SigmaUnsupportedError(
        'placeholder',
        `placeholder '%${name}%' has no values defined`,
        location,
      );
    }
    const next: string[] = [];
    for (const result of results) for (const value of values) next.push(result + value);
    if (next.length > MAX_EXPANSIONS) {
      throw new SigmaRuleError(`'${raw}' expands to more than ${MAX_EXPANSIONS} values`, location);
    }
    results = next;
    i = close;
  }
  return results;
}
