// Turns ajv's errors into what a rule author needs: the offending key as a dotted path
// (`detection.selection`, `tags[2]`) and a plain reason ("missing key 'condition'", "level must be one
// of ..."). ajv reports every failed branch of an anyOf/oneOf; those are folded into one reason, or into
// the errors of the one branch the value was evidently meant for.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describeValue, isPlainObject, jsonTypeOf } from './yaml-values.js';

/** One problem with a document (a schema violation or a failed check), ready to become a SigmaRuleError. */
export interface RuleProblem {
  /** The offending key as a path from the document root (empty for the document itself). */
  key: string;
  message: string;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  array: 'a list',
  object: 'a map',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  null: 'null',
};

const DATE_PATTERN_HINT = '\\d{4}-';

/** Translates ajv's errors (compiled with `allErrors` and `verbose`) for the document `root`. */
export function translateSchemaErrors(errors: readonly ErrorObject[], root: unknown): RuleProblem[] {
  const kept = foldAlternatives(errors.filter((error) => error.keyword !== 'if'));
  const seen = new Set<string>();
  const out: RuleProblem[] = [];
  for (const error of kept) {
    const problem = describe(error, root);
    const id = `${problem.key}\u0000${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(problem);
  }
  return out;
}

/** Replaces each failed anyOf/oneOf and its branch errors by one summary or by the relevant branch's errors. */
function foldAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const removed = new Set<ErrorObject>();
  const replacement = new Map<ErrorObject, ErrorObject>();
  const compounds = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const compound of compounds) {
    if (removed.has(compound)) continue;
    const prefix = `${compound.schemaPath}/`;
    const children = errors.filter(
      (error) => error.schemaPath.startsWith(prefix) && error.instancePath.startsWith(compound.instancePath),
    );
    const branches = Array.isArray(compound.schema) ? (compound.schema as unknown[]) : [];
    const consts = branches.map((branch) => (isPlainObject(branch) ? branch.const : undefined));
    if (branches.length > 0 && consts.every((value) => value !== undefined)) {
      children.forEach((child) => removed.add(child));
      replacement.set(compound, { ...compound, keyword: 'enum', params: { allowedValues: consts } });
      continue;
    }
    const meantChildren = childrenOfMeantBranch(branches, compound, children);
    if (meantChildren.length > 0) {
      removed.add(compound);
      children.filter((child) => !meantChildren.includes(child)).forEach((child) => removed.add(child));
      continue;
    }
    children.forEach((child) => removed.add(child));
    const types = branches.flatMap((branch) =>
      isPlainObject(branch) && typeof branch.type === 'string' ? [branch.type] : [],
    );
    if (types.length === branches.length && types.length > 0 && !types.includes(jsonTypeOf(compound.data))) {
      replacement.set(compound, { ...compound, keyword: 'type', params: { type: [...new Set(types)] } });
    }
  }
  return errors.filter((error) => !removed.has(error)).map((error) => replacement.get(error) ?? error);
}

/**
 * The errors of the branch the value was meant for: the first branch whose `type` fits the value (or that
 * has no `type`) and has errors of its own. Empty when no branch fits.
 */
function childrenOfMeantBranch(
  branches: readonly unknown[],
  compound: ErrorObject,
  children: readonly ErrorObject[],
): ErrorObject[] {
  const actual = jsonTypeOf(compound.data);
  for (const [index, branch] of branches.entries()) {
    if (!isPlainObject(branch)) continue;
    const type = branch.type;
    const fits = type === undefined || type === actual || (type === 'number' && actual === 'integer');
    if (!fits) continue;
    const own = children.filter((child) => child.schemaPath.startsWith(`${compound.schemaPath}/${index}/`));
    if (own.length > 0) return own;
  }
  return [];
}

function describe(error: ErrorObject, root: unknown): RuleProblem {
  const { path, last } = keyPath(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  const name = path === '' ? 'the rule' : last;
  const got = describeValue(error.data);
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { key: join(path, missing), message: `missing key '${missing}'` };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const extra = String(params.additionalProperty ?? params.unevaluatedProperty);
      return { key: join(path, extra), message: `unknown key '${extra}'` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
      return { key: path, message: `${name} must be one of ${allowed} (got ${got})` };
    }
    case 'const':
      return { key: path, message: `${name} must be ${describeValue(params.allowedValue)} (got ${got})` };
    case 'type': {
      const types = (Array.isArray(params.type) ? params.type : String(params.type).split(',')) as string[];
      const wanted = types.map((type) => TYPE_WORDS[type] ?? type).join(' or ');
      return {
        key: path,
        message: `${name} must be ${wanted} (got ${TYPE_WORDS[jsonTypeOf(error.data)]}: ${got})`,
      };
    }
    case 'format':
      return params.format === 'uuid'
        ? {
            key: path,
            message: `${name} must be a UUID such as 0e95725d-7320-415d-80f7-004da920fc11 (got ${got})`,
          }
        : { key: path, message: `${name} must be a valid ${String(params.format)} (got ${got})` };
    case 'pattern':
      return { key: path, message: patternReason(name, String(params.pattern), got) };
    case 'maxLength':
    case 'minLength': {
      const bound = error.keyword === 'maxLength' ? 'at most' : 'at least';
      return {
        key: path,
        message: `${name} must be ${bound} ${String(params.limit)} characters long (got ${got})`,
      };
    }
    case 'minItems':
    case 'maxItems': {
      const bound = error.keyword === 'maxItems' ? 'at most' : 'at least';
      return { key: path, message: `${name} must have ${bound} ${String(params.limit)} items` };
    }
    case 'uniqueItems':
      return {
        key: path,
        message: `${name} lists the same item twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1})`,
      };
    case 'anyOf':
    case 'oneOf':
      return { key: path, message: `${name} does not have any of the allowed forms (got ${got})` };
    default:
      return { key: path, message: `${name} ${error.message ?? 'is invalid'} (got ${got})` };
  }
}

function patternReason(name: string, pattern: string, got: string): string {
  if (pattern.includes(DATE_PATTERN_HINT)) return `${name} must be a date written YYYY-MM-DD (got ${got})`;
  if (name.startsWith('tags[')) {
    return `tag ${got} must be lower-case 'namespace.name' using a-z, 0-9, '_', '-' and '.' (e.g. attack.t1059)`;
  }
  return `${name} must match the pattern ${pattern} (got ${got})`;
}

/**
 * `/detection/sel~1x/0` → `detection.sel/x[0]` (and its last element, `sel/x[0]`), using the document to
 * tell list indexes from map keys.
 */
function keyPath(pointer: string, root: unknown): { path: string; last: string } {
  if (pointer === '') return { path: '', last: '' };
  let path = '';
  let last = '';
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path += `[${segment}]`;
      last += `[${segment}]`;
      node = node[Number(segment)];
    } else {
      path = join(path, segment);
      last = segment;
      node = isPlainObject(node) ? node[segment] : undefined;
    }
  }
  return { path, last };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
