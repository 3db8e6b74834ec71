// Reading a rule's field from an event: the key as written first (flat records such as Windows EventData
// and our flattened events use dotted keys: `process.command_line`), then, for a dotted name the event does
// not have as a key, a walk through nested objects (`{"process": {"command_line": ...}}`). Arrays met on
// the way give every element's value (a rule on `dns.answers.name` matches any answer).
import type { FieldReader } from './sigma-types.js';

/** Deepest nesting of arrays a dotted walk descends into (a hostile record must not overflow the stack). */
const MAX_ARRAY_DEPTH = 32;

/** Compiles the reader of one field name (do it once per rule field, not per event). */
export function fieldReader(name: string): FieldReader {
  if (!name.includes('.')) return (event) => (Object.hasOwn(event, name) ? event[name] : undefined);
  const parts = name.split('.');
  return (event) => {
    if (Object.hasOwn(event, name)) return event[name];
    return walk(event, parts, 0, 0);
  };
}

function walk(value: unknown, parts: readonly string[], index: number, arrayDepth: number): unknown {
  let current = value;
  for (let i = index; i < parts.length; i++) {
    if (Array.isArray(current)) {
      if (arrayDepth >= MAX_ARRAY_DEPTH) return undefined;
      const values: unknown[] = [];
      for (const element of current) {
        const found = walk(element, parts, i, arrayDepth + 1);
        if (found === undefined) continue;
        if (Array.isArray(found)) values.push(...(found as unknown[]));
        else values.push(found);
      }
      return values.length ? values : undefined;
    }
    if (current === null || typeof current !== 'object') return undefined;
    const key = parts[i] as string;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
