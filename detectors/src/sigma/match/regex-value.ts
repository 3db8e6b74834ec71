// The `re` modifier: a regular expression run by re2js, a linear-time RE2 port, so that no pattern can stall
// ingest. RE2 has no backreferences or lookahead; a pattern that needs them (valid for JavaScript but not
// for RE2) is reported as SigmaUnsupportedError 'regex-unsupported', an invalid one as SigmaRuleError.
// Captureless lookbehinds are accepted (re2js evaluates them in linear time).
import { RE2JS } from 're2js';
import { SigmaRuleError, SigmaUnsupportedError, type RuleLocation } from '../sigma-types.js';

/** The flags and position of an `re` item. */
export interface RegexOptions {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  /** `startswith` anchors at the start of the value, `endswith` at its end; `contains` changes nothing. */
  readonly position: 'contains' | 'startswith' | 'endswith' | undefined;
}

/** Compiles a pattern into an unanchored (search) test, as Sigma backends run `re`. */
export function compileRegex(
  pattern: string,
  options: RegexOptions,
  location: RuleLocation,
): (value: string) => boolean {
  let flags = RE2JS.LOOKBEHINDS;
  if (options.i) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.m) flags |= RE2JS.MULTILINE;
  if (options.s) flags |= RE2JS.DOTALL;
  let source = pattern;
  if (options.position === 'startswith') source = `\\A(?:${source})`;
  if (options.position === 'endswith') source = `(?:${source})\\z`;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (isJavaScriptRegex(pattern)) {
      throw new SigmaUnsupportedError(
        'regex-unsupported',
        `regular expression '${pattern}' needs a backtracking feature a linear-time engine lacks (${reason})`,
        location,
      );
    }
    throw new SigmaRuleError(`invalid regular expression '${pattern}': ${reason}`, location, {
      cause: error,
    });
  }
  return (value) => compiled.test(value);
}

function isJavaScriptRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
