// The errors the condition parser and compiler throw, worded the same way everywhere.
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import type { RuleLocation } from '../sigma-types.js';

/** The key a condition's errors name when the caller's location has none. */
export const CONDITION_KEY = 'detection.condition';

/** The location of a condition (or of item `index` of a condition list). */
export function conditionLocation(location: RuleLocation, index?: number): RuleLocation {
  const key = location.key ?? CONDITION_KEY;
  return { ...location, key: index === undefined ? key : `${key}[${index}]` };
}

/** A syntax error at a 1-based offset of `text`: `condition "a and": expected ... at column 6, found ...`. */
export function conditionSyntaxError(
  text: string,
  column: number,
  message: string,
  location: RuleLocation,
): SigmaRuleError {
  return new SigmaRuleError(
    `condition ${JSON.stringify(text)}: ${message} at ${describePosition(text, column)}`,
    location,
  );
}

/** A condition that is wrong as a whole (empty, not a string, naming what does not exist). */
export function conditionError(text: string, message: string, location: RuleLocation): SigmaRuleError {
  return new SigmaRuleError(`condition ${JSON.stringify(text)}: ${message}`, location);
}

/** The pipe syntax (`| count() by x > 5`, `| near ...`) that Sigma v2 replaced with correlation rules. */
export function deprecatedAggregationError(text: string, location: RuleLocation): SigmaUnsupportedError {
  return new SigmaUnsupportedError(
    'deprecated-aggregation',
    `condition ${JSON.stringify(text)}: aggregation expressions ('| count()', 'near') are deprecated; ` +
      'Sigma v2 expresses them as correlation rules',
    location,
  );
}

/** `column 7`, or `line 2, column 3` when the condition spans several lines. */
function describePosition(text: string, column: number): string {
  if (!text.includes('\n')) return `column ${column}`;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < column - 1 && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${column - lineStart}`;
}
