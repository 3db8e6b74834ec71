// The field names a rule's detection block reads: what the log-source mapping must provide.

function addItemFields(item: unknown, out: Set<string>): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return; // keywords
  for (const key of Object.keys(item)) {
    const field = key.split('|')[0] ?? '';
    if (field) out.add(field);
  }
}

/** The field names (modifiers stripped, keyword searches skipped) a detection block's identifiers use. */
export function detectionFieldNames(detection: Record<string, unknown>): string[] {
  const fields = new Set<string>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    if (Array.isArray(value)) for (const item of value) addItemFields(item, fields);
    else addItemFields(value, fields);
  }
  return [...fields];
}
