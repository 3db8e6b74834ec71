// An RFC 4180 CSV reader: comma-separated fields, double-quoted fields that may hold commas, quotes
// (doubled) and line breaks, CRLF or LF line ends. A field with an unterminated quote is reported and
// reading resumes on the next line, so one bad record does not swallow the rest of the file.

/** One record, or why it could not be read. `line` is the 1-based line where the record starts. */
export type CsvRecord =
  { readonly line: number; readonly fields: string[] } | { readonly line: number; readonly error: string };

/** Yields the records of `text`; blank lines are skipped. */
export function* readCsvRecords(text: string): Generator<CsvRecord> {
  const length = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      if (text.charCodeAt(pos) === 34) {
        // Quoted field.
        let value = '';
        let chunk = pos + 1;
        let scan = chunk;
        let closed = false;
        for (;;) {
          const quote = text.indexOf('"', scan);
          if (quote < 0) break;
          if (text.charCodeAt(quote + 1) === 34) {
            value += text.slice(chunk, quote + 1);
            chunk = scan = quote + 2;
            continue;
          }
          value += text.slice(chunk, quote);
          line += countLineBreaks(text, pos, quote);
          pos = quote + 1;
          closed = true;
          break;
        }
        if (!closed) {
          error = 'unterminated quoted field';
          pos = skipLine(text, pos);
          break;
        }
        const next = text.charCodeAt(pos);
        if (pos < length && next !== 44 && next !== 10 && next !== 13) {
          error = `unexpected '${text[pos] ?? ''}' after a closing quote`;
          pos = skipLine(text, pos);
          break;
        }
        fields.push(value);
      } else {
        const first = pos;
        while (pos < length) {
          const code = text.charCodeAt(pos);
          if (code === 44 || code === 10 || code === 13) break;
          pos++;
        }
        fields.push(text.slice(first, pos));
      }
      if (pos >= length) break;
      const code = text.charCodeAt(pos);
      if (code === 44) {
        pos++;
        continue;
      }
      pos = code === 13 && text.charCodeAt(pos + 1) === 10 ? pos + 2 : pos + 1;
      break;
    }
    if (error !== undefined) {
      yield { line: start, error };
      line++;
      continue;
    }
    line++;
    if (fields.length === 1 && fields[0] === '') continue;
    yield { line: start, fields };
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Position after the line break that ends the line holding `pos`. */
function skipLine(text: string, pos: number): number {
  const newline = text.indexOf('\n', pos);
  return newline < 0 ? text.length : newline + 1;
}
