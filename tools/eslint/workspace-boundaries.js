// ESLint rule enforcing DESIGN.md's one-way dependency rule between npm workspaces:
//   - a workspace imports another only by package name (`@inosec/<name>`), never by a relative path
//     that climbs into the other's folder, and never a deep path (`@inosec/<name>/src/...`);
//   - only the workspaces listed for it in the rule's options (those below it in DESIGN.md's table).
import path from 'node:path';

const SCOPE = '@inosec/';

/** @param {string} file @param {string} root @returns {string | undefined} */
function workspaceOf(file, root, workspaces) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const first = rel.split(path.sep)[0];
  return first !== undefined && Object.hasOwn(workspaces, first) ? first : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const workspaceBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the one-way dependency rule between InoSec workspaces' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          workspaces: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          only: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
            },
          },
        },
        required: ['root', 'workspaces'],
        additionalProperties: false,
      },
    ],
    messages: {
      deep: "Deep import '{{source}}': import the package entry '{{entry}}' (its src/index.ts) instead.",
      forbidden:
        "Workspace '{{from}}' may not import '{{to}}' (allowed: {{allowed}}); imports point down DESIGN.md's layout table only.",
      relative:
        "Relative import '{{source}}' reaches into workspace '{{to}}': import '{{entry}}' by package name.",
      self: "Workspace '{{from}}' imports itself by package name: use a relative import.",
      onlyFrom: "Workspace '{{from}}' may import '{{to}}' only from {{folder}} (DESIGN.md).",
    },
  },
  create(context) {
    const { root, workspaces, only = {} } = context.options[0];
    const filename = context.filename;
    const from = workspaceOf(filename, root, workspaces);
    if (from === undefined) return {};
    const allowed = workspaces[from];

    /** The module specifier of a string literal or a template literal without expressions. */
    function specifier(node) {
      if (!node) return undefined;
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral' && node.expressions.length === 0)
        return node.quasis[0]?.value.cooked;
      return undefined;
    }

    /** @param {import('estree').Node | null | undefined} node */
    function check(node) {
      const source = specifier(node);
      if (source === undefined || node == null) return;
      if (source.startsWith(SCOPE)) {
        const [to, ...rest] = source.slice(SCOPE.length).split('/');
        if (to === undefined || !Object.hasOwn(workspaces, to)) return;
        const entry = SCOPE + to;
        const onlyFrom = only[from]?.[to];
        const rel = path.relative(root, filename).split(path.sep).join('/');
        if (to === from) {
          context.report({ node, messageId: 'self', data: { from } });
        } else if (!allowed.includes(to)) {
          const data = { from, to, allowed: allowed.length ? allowed.join(', ') : 'none' };
          context.report({ node, messageId: 'forbidden', data });
        } else if (onlyFrom !== undefined && !onlyFrom.some((folder) => rel.startsWith(folder))) {
          context.report({ node, messageId: 'onlyFrom', data: { from, to, folder: onlyFrom.join(' or ') } });
        } else if (rest.length > 0) {
          context.report({ node, messageId: 'deep', data: { source, entry } });
        }
        return;
      }
      if (source.startsWith('.')) {
        const target = path.resolve(path.dirname(filename), source);
        const to = workspaceOf(target, root, workspaces);
        if (to !== undefined && to !== from) {
          context.report({ node, messageId: 'relative', data: { source, to, entry: SCOPE + to } });
        }
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // TypeScript: `type T = import('x').T` and `import x = require('x')`.
      TSImportType: (node) =>
        check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
      TSExternalModuleReference: (node) => check(node.expression),
    };
  },
};

/** DESIGN.md's layout table: each workspace and the workspaces it may import. */
export const WORKSPACE_DEPENDENCIES = Object.freeze({
  protos: [],
  detectors: ['protos'],
  collector: ['protos', 'detectors'],
  'edge-agent': ['protos', 'detectors'],
  'control-plane': ['protos', 'detectors', 'collector'],
  dashboards: ['protos'],
});

/**
 * Imports allowed only from some folders: the control plane starts the collector (and its embedded
 * PostgreSQL) in the appliance only, and the appliance's integration tests use the same entry.
 */
export const WORKSPACE_IMPORT_FOLDERS = Object.freeze({
  'control-plane': { collector: ['control-plane/src/appliance/', 'control-plane/test/'] },
});

export const plugin = { meta: { name: 'inosec' }, rules: { 'workspace-boundaries': workspaceBoundaries } };
