// A light scan of a Sigma condition for the search identifiers it names, so the loader can report a
// reference to a selection that does not exist. Parsing the condition (precedence, evaluation) is the
// condition compiler's job; this only tokenises.

/** What a condition refers to. */
export interface ConditionReferences {
  /** Identifiers used as such (`selection`, `filter_main`). */
  names: string[];
  /** Patterns of `1 of x*` / `all of x*` (without `them`). */
  patterns: string[];
  /** Problems found while scanning (an aggregation pipe, unbalanced brackets, a dangling `of`). */
  problems: string[];
}

const TOKEN = /\(|\)|[^\s()]+/g;
const OPERATORS = new Set(['and', 'or', 'not']);
const QUANTIFIER = /^(?:\d+|all|any)$/i;

/** Lists the identifiers and `x of pattern` patterns a condition string uses. */
export function scanCondition(condition: string): ConditionReferences {
  const tokens = condition.match(TOKEN) ?? [];
  const out: ConditionReferences = { names: [], patterns: [], problems: [] };
  let depth = 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? '';
    const lower = token.toLowerCase();
    if (token === '(') {
      depth++;
    } else if (token === ')') {
      if (--depth < 0) out.problems.push("a ')' closes a bracket that was never opened");
      depth = Math.max(depth, 0);
    } else if (token.startsWith('|')) {
      out.problems.push(
        "uses the Sigma 1 aggregation syntax ('| count() ...'), which Sigma 2 replaced by correlation rules",
      );
      break;
    } else if (OPERATORS.has(lower)) {
      continue;
    } else if (lower === 'of') {
      const target = tokens[index + 1];
      if (target === undefined || target === '(' || target === ')') {
        out.problems.push("'of' must be followed by a search-identifier pattern or 'them'");
      } else {
        if (target.toLowerCase() !== 'them') out.patterns.push(target);
        index++;
      }
    } else if (QUANTIFIER.test(token) && tokens[index + 1]?.toLowerCase() === 'of') {
      continue;
    } else {
      out.names.push(token);
    }
  }
  if (depth > 0) out.problems.push(`${depth} bracket${depth > 1 ? 's are' : ' is'} opened but never closed`);
  return out;
}

/** True when a search identifier matches an `x of` pattern (`*` stands for any run of characters). */
export function matchesIdentifierPattern(pattern: string, identifier: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === identifier;
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!identifier.startsWith(first) || identifier.length < first.length + last.length) return false;
  if (!identifier.endsWith(last)) return false;
  let at = first.length;
  const end = identifier.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = identifier.indexOf(middle, at);
    if (found === -1 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}
