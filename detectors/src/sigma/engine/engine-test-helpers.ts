// Test helper: detection rule documents from a few lines of YAML.
import { parseRuleText, type SigmaRuleDocument } from '../loader/index.js';

let counter = 0;

/** A detection rule document with the given `detection` block (YAML, indented 4) and log source. */
export function ruleDocument(
  detection: string,
  {
    logsource = 'product: linux\n    category: process_creation',
    id,
    title = 'Test Rule',
    extra = '',
  }: {
    logsource?: string;
    id?: string;
    title?: string;
    extra?: string;
  } = {},
): SigmaRuleDocument {
  counter++;
  const ruleId = id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  const text = `title: ${title}\nid: ${ruleId}\nstatus: test\nlevel: high\n${extra}logsource:\n    ${logsource}\ndetection:\n${detection}\n`;
  const { documents, errors } = parseRuleText(text, `test-${counter}.yml`);
  if (errors.length > 0 || documents[0]?.kind !== 'detection') {
    throw new Error(`bad test rule: ${errors.map((error) => error.message).join('; ')}`);
  }
  return documents[0];
}
