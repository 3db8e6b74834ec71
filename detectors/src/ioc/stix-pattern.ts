// A parser of STIX 2.1 patterning (the `pattern` of an indicator with `pattern_type: stix`) into a tree,
// and the reduction of a tree that is a disjunction of comparisons to the list of those comparisons: the
// only shape an indicator set can hold. AND, FOLLOWEDBY and qualifiers (WITHIN, REPEATS, START/STOP)
// correlate several values and are reported as unsupported, never approximated.
import { InosecError } from '@inosec/protos';

/** A literal of a comparison. */
export type StixLiteral =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number' | 'boolean' | 'binary' | 'hex' | 'timestamp'; readonly value: string };

/** A node of a parsed pattern. */
export type StixNode =
  | { readonly type: 'or' | 'and' | 'followedby'; readonly items: readonly StixNode[] }
  | { readonly type: 'qualified'; readonly qualifier: string; readonly inner: StixNode }
  | {
      readonly type: 'comparison';
      /** Object type: `ipv4-addr`, `file`… */
      readonly object: string;
      /** Property path with hash names unquoted: `value`, `hashes.SHA-256`. */
      readonly property: string;
      readonly operator: string;
      readonly negated: boolean;
      readonly values: readonly StixLiteral[];
    }
  | { readonly type: 'exists'; readonly object: string; readonly property: string };

/** A comparison node. */
export type StixComparison = Extract<StixNode, { type: 'comparison' }>;

/** A pattern that is not valid STIX patterning. */
export class StixPatternSyntaxError extends InosecError {
  constructor(message: string) {
    super('stix_pattern_invalid', message);
  }
}

type Token =
  | { readonly kind: 'punct'; readonly text: string; readonly at: number }
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'path'; readonly object: string; readonly property: string; readonly at: number }
  | { readonly kind: 'literal'; readonly literal: StixLiteral; readonly at: number };

const LITERAL_PREFIX: Readonly<Record<string, StixLiteral['type']>> = {
  b: 'binary',
  h: 'hex',
  t: 'timestamp',
};

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string): never => {
    throw new StixPatternSyntaxError(`${message} at offset ${i}`);
  };
  const readQuoted = (): string => {
    // At a single quote; `\'` and `\\` are the escapes.
    let out = '';
    i++;
    for (;;) {
      if (i >= pattern.length) fail('unterminated string');
      const char = pattern[i] as string;
      if (char === "'") {
        i++;
        return out;
      }
      if (char === '\\') {
        const next = pattern[i + 1];
        if (next !== "'" && next !== '\\') fail(`bad escape '\\${next ?? ''}'`);
        out += next;
        i += 2;
        continue;
      }
      out += char;
      i++;
    }
  };
  while (i < pattern.length) {
    const char = pattern[i] as string;
    const at = i;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++;
    } else if ('[]()'.includes(char) || char === ',') {
      tokens.push({ kind: 'punct', text: char, at });
      i++;
    } else if (char === '=' || char === '!' || char === '<' || char === '>') {
      const two = pattern.slice(i, i + 2);
      const text = two === '!=' || two === '<=' || two === '>=' ? two : char;
      if (text === '!') fail("'!' must be followed by '='");
      tokens.push({ kind: 'punct', text, at });
      i += text.length;
    } else if (char === "'") {
      tokens.push({ kind: 'literal', literal: { type: 'string', value: readQuoted() }, at });
    } else if (LITERAL_PREFIX[char] !== undefined && pattern[i + 1] === "'") {
      i++;
      tokens.push({ kind: 'literal', literal: { type: LITERAL_PREFIX[char], value: readQuoted() }, at });
    } else if (char === '-' || char === '+' || (char >= '0' && char <= '9')) {
      let end = i + 1;
      while (end < pattern.length && /[0-9.]/.test(pattern[end] as string)) end++;
      tokens.push({ kind: 'literal', literal: { type: 'number', value: pattern.slice(i, end) }, at });
      i = end;
    } else if (/[A-Za-z_]/.test(char)) {
      tokens.push(readWordOrPath());
    } else {
      fail(`unexpected '${char}'`);
    }
  }
  return tokens;

  function readWordOrPath(): Token {
    const at = i;
    let end = i;
    while (end < pattern.length && /[A-Za-z0-9_-]/.test(pattern[end] as string)) end++;
    const word = pattern.slice(i, end);
    i = end;
    if (pattern[i] !== ':') {
      if (word === 'true' || word === 'false')
        return { kind: 'literal', literal: { type: 'boolean', value: word }, at };
      return { kind: 'word', text: word.toUpperCase(), at };
    }
    // Object path: type ':' property ( '.' name | '.' 'quoted' | '[' index ']' )*
    i++;
    let property = '';
    for (;;) {
      const char = pattern[i];
      if (char === "'") property += readQuoted();
      else if (char !== undefined && /[A-Za-z0-9_-]/.test(char)) {
        let stop = i;
        while (stop < pattern.length && /[A-Za-z0-9_-]/.test(pattern[stop] as string)) stop++;
        property += pattern.slice(i, stop);
        i = stop;
      } else fail('bad object path');
      if (pattern[i] === '[') {
        const close = pattern.indexOf(']', i);
        const index = close < 0 ? '' : pattern.slice(i + 1, close);
        if (index !== '*' && !/^\d+$/.test(index)) fail('bad list index');
        property += `[${index}]`;
        i = close + 1;
      }
      if (pattern[i] !== '.') break;
      property += '.';
      i++;
    }
    return { kind: 'path', object: word, property, at };
  }
}

/** Parses a STIX 2.1 pattern; throws {@link StixPatternSyntaxError} when it is not valid. */
export function parseStixPattern(pattern: string): StixNode {
  const tokens = tokenize(pattern);
  let next = 0;
  const peek = (): Token | undefined => tokens[next];
  const fail = (message: string): never => {
    const token = peek();
    throw new StixPatternSyntaxError(
      `${message} at offset ${token === undefined ? pattern.length : token.at}`,
    );
  };
  const isWord = (text: string): boolean => {
    const token = peek();
    return token?.kind === 'word' && token.text === text;
  };
  const isPunct = (text: string): boolean => {
    const token = peek();
    return token?.kind === 'punct' && token.text === text;
  };
  const expectPunct = (text: string): void => {
    if (!isPunct(text)) fail(`expected '${text}'`);
    next++;
  };
  const binary = (type: 'or' | 'and' | 'followedby', word: string, operand: () => StixNode): StixNode => {
    const items = [operand()];
    while (isWord(word)) {
      next++;
      items.push(operand());
    }
    return items.length === 1 ? (items[0] as StixNode) : { type, items };
  };

  const observations = (): StixNode => binary('followedby', 'FOLLOWEDBY', observationOr);
  const observationOr = (): StixNode => binary('or', 'OR', observationAnd);
  const observationAnd = (): StixNode => binary('and', 'AND', observation);
  const observation = (): StixNode => {
    let node: StixNode;
    if (isPunct('[')) {
      next++;
      node = comparisonOr();
      expectPunct(']');
    } else if (isPunct('(')) {
      next++;
      node = observations();
      expectPunct(')');
    } else {
      return fail("expected '[' or '('");
    }
    while (isWord('WITHIN') || isWord('REPEATS') || isWord('START')) node = qualifier(node);
    return node;
  };
  const qualifier = (inner: StixNode): StixNode => {
    const word = (peek() as { text: string }).text;
    next++;
    const parts = [word];
    const follow = word === 'WITHIN' ? ['SECONDS'] : word === 'REPEATS' ? ['TIMES'] : ['STOP'];
    const operand = peek();
    if (operand?.kind !== 'literal') return fail(`${word} needs a value`);
    next++;
    parts.push(operand.literal.value);
    for (const expected of follow) {
      if (!isWord(expected)) return fail(`expected ${expected}`);
      next++;
      parts.push(expected);
      if (expected === 'STOP') {
        const stop = peek();
        if (stop?.kind !== 'literal') return fail('STOP needs a timestamp');
        next++;
        parts.push(stop.literal.value);
      }
    }
    return { type: 'qualified', qualifier: parts.join(' '), inner };
  };
  const comparisonOr = (): StixNode => binary('or', 'OR', comparisonAnd);
  const comparisonAnd = (): StixNode => binary('and', 'AND', comparison);
  const comparison = (): StixNode => {
    if (isPunct('(')) {
      next++;
      const node = comparisonOr();
      expectPunct(')');
      return node;
    }
    if (isWord('EXISTS')) {
      next++;
      const path = peek();
      if (path?.kind !== 'path') return fail('EXISTS needs an object path');
      next++;
      return { type: 'exists', object: path.object, property: path.property };
    }
    const path = peek();
    if (path?.kind !== 'path') return fail('expected an object path');
    next++;
    let negated = false;
    if (isWord('NOT')) {
      negated = true;
      next++;
    }
    const operator = peek();
    if (operator === undefined || operator.kind === 'path' || operator.kind === 'literal') {
      return fail('expected a comparison operator');
    }
    next++;
    const values: StixLiteral[] = [];
    if (operator.text === 'IN') {
      expectPunct('(');
      for (;;) {
        const literal = peek();
        if (literal?.kind !== 'literal') return fail('expected a literal');
        next++;
        values.push(literal.literal);
        if (!isPunct(',')) break;
        next++;
      }
      expectPunct(')');
    } else {
      const literal = peek();
      if (literal?.kind !== 'literal') return fail('expected a literal');
      next++;
      values.push(literal.literal);
    }
    return {
      type: 'comparison',
      object: path.object,
      property: path.property,
      operator: operator.text,
      negated,
      values,
    };
  };

  const tree = observations();
  if (next < tokens.length) fail('unexpected token');
  return tree;
}

/**
 * The comparisons of a pattern that is a disjunction (OR at any level) of comparisons; otherwise the
 * reason it is not (`AND`, `FOLLOWEDBY`, a qualifier, `EXISTS`).
 */
export function disjunctionOf(node: StixNode): readonly StixComparison[] | string {
  switch (node.type) {
    case 'comparison':
      return [node];
    case 'or': {
      const all: StixComparison[] = [];
      for (const item of node.items) {
        const terms = disjunctionOf(item);
        if (typeof terms === 'string') return terms;
        all.push(...terms);
      }
      return all;
    }
    case 'and':
      return 'AND of several comparisons or observations is not supported (only OR)';
    case 'followedby':
      return 'FOLLOWEDBY is not supported';
    case 'qualified':
      return `qualifier '${node.qualifier}' is not supported`;
    case 'exists':
      return 'EXISTS is not supported';
  }
}
