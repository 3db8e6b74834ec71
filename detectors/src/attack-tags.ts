/**
 * MITRE ATT&CK references in Sigma rule tags (Sigma specification v2, "Tags" appendix): `attack.<tactic>`
 * (kebab-case tactic name), `attack.tNNNN` / `attack.tNNNN.NNN` (technique / sub-technique),
 * `attack.gNNNN` (group) and `attack.sNNNN` (software). Alerts carry the parsed form.
 */

/** ATT&CK Enterprise and ICS tactic short names as Sigma writes them. */
export const ATTACK_TACTICS: ReadonlySet<string> = new Set([
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  // ATT&CK v18 split Defense Evasion into Stealth and Defense Impairment; SigmaHQ uses both.
  'stealth',
  'defense-impairment',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
  // ICS matrix
  'evasion',
  'inhibit-response-function',
  'impair-process-control',
]);

export interface AttackMapping {
  tactics: string[];
  /** Technique ids, upper case (`T1110`); sub-techniques keep their suffix (`T1110.001`). */
  techniques: string[];
  groups: string[];
  software: string[];
  /** `attack.*` tags that fit none of the forms above: reported, never silently dropped. */
  unrecognised: string[];
}

const TECHNIQUE = /^t\d{4}(\.\d{3})?$/;
const GROUP = /^g\d{4}$/;
const SOFTWARE = /^s\d{4}$/;

/** Splits a rule's tags into its ATT&CK tactics, techniques, groups and software, in order, without duplicates. */
export function parseAttackTags(tags: readonly string[]): AttackMapping {
  const out: AttackMapping = { tactics: [], techniques: [], groups: [], software: [], unrecognised: [] };
  const push = (list: string[], value: string): void => {
    if (!list.includes(value)) list.push(value);
  };
  for (const tag of tags) {
    const lower = tag.trim().toLowerCase();
    if (!lower.startsWith('attack.')) continue;
    const value = lower.slice('attack.'.length);
    if (TECHNIQUE.test(value)) push(out.techniques, value.toUpperCase());
    else if (GROUP.test(value)) push(out.groups, value.toUpperCase());
    else if (SOFTWARE.test(value)) push(out.software, value.toUpperCase());
    else if (ATTACK_TACTICS.has(value)) push(out.tactics, value);
    else push(out.unrecognised, tag);
  }
  return out;
}
