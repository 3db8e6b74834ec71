// Reading the JSON records of a file: one JSON value, a JSON array of records, JSON lines, or several
// JSON documents one after the other (what evtx dump tools write).
import { InosecError } from '@inosec/protos';

/** A file's text that is not a sequence of JSON values. */
export class JsonRecordsError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('json_records_invalid', message, options);
  }
}

/**
 * The records of a text holding one or more JSON values separated by whitespace. A top-level array's
 * elements are records, as is every other value. Throws JsonRecordsError naming the offset (and the
 * parser's reason) of the first value that does not parse.
 */
export function parseJsonRecords(text: string): unknown[] {
  const records: unknown[] = [];
  let offset = skipSpace(text, 0);
  while (offset < text.length) {
    const end = valueEnd(text, offset);
    let value: unknown;
    try {
      value = JSON.parse(text.slice(offset, end));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new JsonRecordsError(`invalid JSON value at offset ${offset}: ${reason}`, { cause: error });
    }
    if (Array.isArray(value)) records.push(...(value as unknown[]));
    else records.push(value);
    offset = skipSpace(text, end);
  }
  return records;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] as string)) i++; // \s includes a byte order mark
  return i;
}

/** The end of the JSON value starting at `start`: its closing bracket, or the next whitespace. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    let i = start;
    if (first === '"') {
      for (i = start + 1; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      return i + 1;
    }
    while (i < text.length && !/[\s{[]/.test(text[i] as string)) i++;
    return i;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && --depth === 0) return i + 1;
  }
  return text.length;
}
