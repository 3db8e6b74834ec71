// Small helpers on values as the YAML parser gives them.

/** True for a YAML map (a plain object), false for lists, scalars and null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How errors name a document: its `id`, else its `title`, else its position in the file (1-based), so a
 * message always says which rule it is about.
 */
export function ruleLabel(value: unknown, documentIndex: number): string {
  if (isPlainObject(value)) {
    if (typeof value.id === 'string' && value.id.trim() !== '') return value.id;
    if (typeof value.title === 'string' && value.title.trim() !== '') return value.title;
  }
  return `document ${documentIndex + 1}`;
}

/** A short, printable rendering of a value for error messages (long values are cut). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = `a ${typeof value} that cannot be shown`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The JSON type name of a value, as JSON Schema speaks of it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** True when a value contains itself (YAML aliases can make a map that holds its own anchor). */
export function hasCycle(value: unknown, ancestors: Set<object> = new Set()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  const found = children.some((child) => hasCycle(child, ancestors));
  ancestors.delete(value);
  return found;
}
