// Builders for the correlation tests: correlation documents without YAML, and detection matches.
import type { SigmaCorrelation, SigmaCorrelationDocument } from '../loader/rule-document.js';
import type { SigmaEvent } from '../sigma-types.js';
import type { RuleMatch } from './correlation-types.js';

/** A correlation document: 60 s timespan, no group-by, id `corr-1` unless overridden. */
export function correlationDoc(
  correlation: Partial<SigmaCorrelation> & Pick<SigmaCorrelation, 'type' | 'rules'>,
  document: Partial<Omit<SigmaCorrelationDocument, 'correlation'>> = {},
): SigmaCorrelationDocument {
  const timespanMs = correlation.timespanMs ?? 60_000;
  return {
    kind: 'correlation',
    file: 'rules/test-correlation.yml',
    documentIndex: 0,
    id: 'corr-1',
    title: 'Test correlation',
    level: 'high',
    tags: [],
    falsepositives: [],
    generate: false,
    raw: {},
    ...document,
    correlation: { groupBy: [], timespan: `${timespanMs / 1000}s`, timespanMs, ...correlation },
  };
}

/** A detection match of `ruleId` at `seconds`, with ref `ruleId@seconds` unless given. */
export function match(ruleId: string, seconds: number, event: SigmaEvent = {}, ref?: string): RuleMatch {
  return {
    ruleId,
    ruleTitle: `Rule ${ruleId}`,
    timeMs: seconds * 1000,
    event,
    ref: ref ?? `${ruleId}@${seconds}`,
  };
}
