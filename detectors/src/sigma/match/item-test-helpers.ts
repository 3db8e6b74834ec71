// Test helpers of the detection-item compiler's tests (imported by *.test.ts only).
import { expect } from 'vitest';
import type { CompileOptions, SigmaEvent } from '../sigma-types.js';
import { compileDetectionItem } from './detection-item.js';
import type { CompiledMatcher } from './match-types.js';
import { eventSatisfiesLiterals } from './prefilter-literals.js';

/** Compiles `key: values` as a detection item of a test rule. */
export function item(key: string, values: unknown, options: CompileOptions = {}): CompiledMatcher {
  return compileDetectionItem(key, values, options, { file: 'test.yml', ruleId: 'test-rule' });
}

/**
 * Asserts the matcher's verdict on an event, and that every event it matches satisfies its prefilter
 * literals (a wrong literal would lose detections).
 */
export function expectMatch(matcher: CompiledMatcher, event: SigmaEvent, expected: boolean): void {
  expect(matcher.test(event), JSON.stringify(event)).toBe(expected);
  if (expected)
    expect(eventSatisfiesLiterals(matcher.literals, event), `literals of ${JSON.stringify(event)}`).toBe(
      true,
    );
}
