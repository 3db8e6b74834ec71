// Where in the editor's text each problem of a refused rule file is. The API's 422 problem lists every
// problem as { path: 'body.text[<rule>].<key>', message }: a YAML syntax error names its line and column in
// the message; a Sigma problem names the rule (id, else title, else "document N") and the key. The key is
// looked up in that rule's YAML document: the key's own line when it is there, else its closest parent's
// (a missing `condition` points at `detection:`).

export interface LocatedProblem {
  message: string;
  /** The rule (document) the problem is in, as the API names it. */
  rule?: string;
  /** The offending key, as a path (`detection.selection.Image|foo`). */
  key?: string;
  /** 1-based line in the text. */
  line?: number;
  column?: number;
  /** exact: the line the message names or the key's own line; near: the line of the key's closest parent. */
  precision?: 'exact' | 'near';
}

interface Range {
  start: number;
  end: number;
}

/** The rule and key of an error path (`body.text[rule].key`); other paths (body.slug) give neither. */
export function parsePath(path: string): { rule?: string; key?: string } | undefined {
  const match = /^body\.text(?:\[(.*?)\])?(?:\.(.*))?$/.exec(path);
  if (!match) return undefined;
  return { ...(match[1] ? { rule: match[1] } : {}), ...(match[2] ? { key: match[2] } : {}) };
}

export function locateProblems(
  text: string,
  errors: ReadonlyArray<{ path: string; message: string }>,
): LocatedProblem[] {
  const lines = text.split('\n');
  const documents = yamlDocuments(lines);
  return errors.map(({ path, message }) => {
    const where = parsePath(path) ?? {};
    const problem: LocatedProblem = { message, ...where };
    const stated = /\bat line (\d+), column (\d+)/.exec(message);
    if (stated) {
      return { ...problem, line: Number(stated[1]), column: Number(stated[2]), precision: 'exact' };
    }
    const document = findDocument(lines, documents, where.rule);
    if (!document || !where.key) return problem;
    const found = findKey(lines, document, where.key);
    return found ? { ...problem, line: found.line + 1, precision: found.exact ? 'exact' : 'near' } : problem;
  });
}

/** The line ranges of the YAML documents (split at `---` lines; an empty lead-in is no document). */
function yamlDocuments(lines: readonly string[]): Range[] {
  const ranges: Range[] = [];
  let start = 0;
  lines.forEach((line, index) => {
    if (/^---(\s|$)/.test(line)) {
      ranges.push({ start, end: index });
      start = index + 1;
    }
  });
  ranges.push({ start, end: lines.length });
  const hasContent = (range: Range) =>
    lines.slice(range.start, range.end).some((line) => !/^\s*(#.*|%.*|\.\.\.\s*)?$/.test(line));
  const first = ranges[0];
  if (ranges.length > 1 && first && !hasContent(first)) ranges.shift();
  return ranges;
}

function findDocument(
  lines: readonly string[],
  documents: Range[],
  rule: string | undefined,
): Range | undefined {
  if (documents.length === 1) return documents[0];
  if (rule === undefined) return undefined;
  const numbered = /^document (\d+)$/.exec(rule);
  if (numbered) return documents[Number(numbered[1]) - 1];
  return documents.find((range) =>
    lines.slice(range.start, range.end).some((line) => {
      const top = /^(?:id|name|title)\s*:\s*(.*?)\s*(?:\s#.*)?$/.exec(line);
      return top?.[1] !== undefined && unquote(top[1]) === rule;
    }),
  );
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted?.[2] ?? value;
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function indentOf(line: string): number {
  return /^[\s-]*/.exec(line)?.[0].length ?? 0;
}

/** The line of `key` (a dotted path) within `document`, walking down by indentation. */
function findKey(
  lines: readonly string[],
  document: Range,
  key: string,
): { line: number; exact: boolean } | undefined {
  const segments = key
    .replace(/\s*\(.*\)$/, '')
    .split('.')
    .map((segment) => segment.replace(/\[\d+\]$/, ''))
    .filter(Boolean);
  let range: Range = document;
  let parentIndent = -1;
  let found: number | undefined;
  for (const [depth, segment] of segments.entries()) {
    const pattern = new RegExp(`^\\s*(?:-\\s+)?(['"]?)${escape(segment)}\\1\\s*:(\\s|$)`);
    let at: number | undefined;
    for (let index = range.start; index < range.end; index++) {
      const line = lines[index] ?? '';
      if (pattern.test(line) && indentOf(line) > parentIndent) {
        at = index;
        break;
      }
    }
    if (at === undefined) return found === undefined ? undefined : { line: found, exact: false };
    found = at;
    if (depth === segments.length - 1) return { line: at, exact: true };
    parentIndent = indentOf(lines[at] ?? '');
    let end = at + 1;
    while (end < range.end) {
      const line = lines[end] ?? '';
      if (!/^\s*(#.*)?$/.test(line) && indentOf(line) <= parentIndent) break;
      end++;
    }
    range = { start: at + 1, end };
  }
  return found === undefined ? undefined : { line: found, exact: false };
}
