// The process tree of an alert (GET /api/alerts/{id}/process-tree): the matched processes, their ancestors
// and their descendants on the alert's host, as an indented, collapsible tree following the WAI-ARIA tree
// pattern (roving focus; arrows, Home/End, Enter, * and type-ahead). The tree is rendered flat: each row is a
// treeitem with its level, position and set size, so its accessible name is its own row's text. Keys the
// tree handles stop there, so no view-level shortcut fires while focus is in the tree.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import type { paths } from '../api/schema.js';
import { Button, ErrorState, Loading } from '../ui/primitives.js';

type Tree = paths['/api/alerts/{id}/process-tree']['get']['responses'][200]['content']['application/json'];
type ProcessNode = Tree['nodes'][number];

/** The nodes as a forest: roots (parent not among the nodes) and each node's children, by first seen. */
interface Forest {
  roots: string[];
  children: Map<string, string[]>;
  byId: Map<string, ProcessNode>;
  parentOf: Map<string, string>;
}

function buildForest(nodes: readonly ProcessNode[]): Forest {
  const byId = new Map(nodes.map((node) => [node.entityId, node]));
  const children = new Map<string, string[]>();
  const parentOf = new Map<string, string>();
  const roots: string[] = [];
  // The API lists nodes by first seen, so siblings keep that order.
  for (const node of nodes) {
    const parent = node.parentEntityId;
    if (parent !== null && parent !== node.entityId && byId.has(parent)) {
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [node.entityId]);
      else siblings.push(node.entityId);
      parentOf.set(node.entityId, parent);
    } else {
      roots.push(node.entityId);
    }
  }
  // A cycle in the parent links (never sent by an agent, but data is data) leaves its nodes unreachable:
  // each first unreached node of one becomes a root.
  const reached = new Set<string>();
  const visit = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const child of children.get(id) ?? []) visit(child);
  };
  roots.forEach(visit);
  for (const node of nodes) {
    if (reached.has(node.entityId)) continue;
    const parent = parentOf.get(node.entityId);
    if (parent !== undefined)
      children.set(
        parent,
        (children.get(parent) ?? []).filter((c) => c !== node.entityId),
      );
    parentOf.delete(node.entityId);
    roots.push(node.entityId);
    visit(node.entityId);
  }
  return { roots, children, byId, parentOf };
}

/** A row of the tree: a node a reader sees, with its level and its place among its siblings. */
interface Row {
  id: string;
  level: number;
  position: number;
  siblings: number;
}

/** The nodes a reader sees (children of expanded nodes only), in document order. */
function visibleRows(forest: Forest, expanded: ReadonlySet<string>): Row[] {
  const out: Row[] = [];
  const walk = (ids: readonly string[], level: number) => {
    ids.forEach((id, index) => {
      out.push({ id, level, position: index + 1, siblings: ids.length });
      if (expanded.has(id)) walk(forest.children.get(id) ?? [], level + 1);
    });
  };
  walk(forest.roots, 1);
  return out;
}

const label = (node: ProcessNode) =>
  `${node.name ?? node.executable ?? 'unknown process'} (${node.pid ?? '?'})`;

const ACTION_TEXT: Record<ProcessNode['actions'][number], string> = {
  start: 'started',
  exec: 'exec()',
  exit: 'exited',
};

/** The "Process tree" section of an alert's page. Reloads when the alert's last seen changes. */
export function ProcessTreeSection({ alertId, lastSeen }: { alertId: string; lastSeen: string }) {
  const { api } = useConsole();
  const [tree, setTree] = useState<Tree | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    must(api.GET('/api/alerts/{id}/process-tree', { params: { path: { id: alertId } } }))
      .then(setTree)
      .catch((failure: unknown) => setError(describe(failure)));
  }, [api, alertId]);
  useEffect(() => {
    load();
  }, [load, lastSeen]);

  return (
    <section aria-labelledby="process-tree-title" className="mt-8" data-testid="process-tree-section">
      <h2 id="process-tree-title" className="text-base font-semibold">
        Process tree
      </h2>
      {error !== null ? (
        <ErrorState message={`The process tree could not be loaded: ${error}`} onRetry={load} />
      ) : tree === null ? (
        <Loading what="the process tree" />
      ) : tree.nodes.length === 0 ? (
        <div className="mt-2 text-sm text-muted" data-testid="process-tree-empty">
          <p>No process to show: none of this alert’s stored events is a process event with a process id.</p>
          {tree.unlinkedMatches > 0 ? (
            <p className="mt-1">
              {tree.unlinkedMatches} matched process event{tree.unlinkedMatches === 1 ? '' : 's'} came from a
              sensor that sends no process entity id (such as auditd), so{' '}
              {tree.unlinkedMatches === 1 ? 'it' : 'they'} cannot be placed in a tree; see the matched events
              above.
            </p>
          ) : null}
        </div>
      ) : (
        <ProcessTreeView tree={tree} />
      )}
    </section>
  );
}

function ProcessTreeView({ tree }: { tree: Tree }) {
  const forest = useMemo(() => buildForest(tree.nodes), [tree.nodes]);
  const parents = useMemo(
    () => [...forest.children.entries()].filter(([, c]) => c.length > 0).map(([id]) => id),
    [forest],
  );
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(parents));
  const firstMatched = tree.nodes.find((node) => node.matched)?.entityId ?? forest.roots[0] ?? '';
  const [focused, setFocused] = useState<string>(firstMatched);
  const items = useRef(new Map<string, HTMLLIElement>());
  const typed = useRef<{ text: string; at: number }>({ text: '', at: 0 });

  useEffect(() => {
    setExpanded(new Set(parents));
  }, [parents]);

  const visible = useMemo(() => visibleRows(forest, expanded), [forest, expanded]);
  // The focused node hidden by a collapsed ancestor: focus moves up to the nearest visible ancestor.
  const shown = useMemo(() => new Set(visible.map((item) => item.id)), [visible]);
  let current = forest.byId.has(focused) ? focused : (visible[0]?.id ?? '');
  while (!shown.has(current) && forest.parentOf.has(current)) current = forest.parentOf.get(current)!;

  const focusNode = (id: string) => {
    setFocused(id);
    items.current.get(id)?.focus();
  };
  const toggle = (id: string, open?: boolean) =>
    setExpanded((before) => {
      const next = new Set(before);
      if (open ?? !next.has(id)) next.add(id);
      else next.delete(id);
      return next;
    });

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const at = visible.findIndex((item) => item.id === current);
    const hasChildren = (forest.children.get(current)?.length ?? 0) > 0;
    const isOpen = expanded.has(current);
    const move = (index: number) => {
      const target = visible[Math.max(0, Math.min(visible.length - 1, index))];
      if (target) focusNode(target.id);
    };
    switch (event.key) {
      case 'ArrowDown':
        move(at + 1);
        break;
      case 'ArrowUp':
        move(at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(visible.length - 1);
        break;
      case 'ArrowRight':
        if (hasChildren && !isOpen) toggle(current, true);
        else if (hasChildren) move(at + 1);
        break;
      case 'ArrowLeft': {
        const parent = forest.parentOf.get(current);
        if (hasChildren && isOpen) toggle(current, false);
        else if (parent !== undefined) focusNode(parent);
        break;
      }
      case 'Enter':
      case ' ':
        if (hasChildren) toggle(current);
        break;
      case '*': {
        const parent = forest.parentOf.get(current);
        const siblings = parent === undefined ? forest.roots : (forest.children.get(parent) ?? []);
        setExpanded((before) => {
          const next = new Set(before);
          for (const id of siblings) if ((forest.children.get(id)?.length ?? 0) > 0) next.add(id);
          return next;
        });
        break;
      }
      default: {
        // Type-ahead: the next visible node whose name starts with what was typed.
        if (event.key.length !== 1 || !/\S/.test(event.key)) return;
        const now = Date.now();
        const text = (now - typed.current.at < 700 ? typed.current.text : '') + event.key.toLowerCase();
        typed.current = { text, at: now };
        const order = [...visible.slice(at + (text.length === 1 ? 1 : 0)), ...visible.slice(0, at + 1)];
        const match = order.find((item) =>
          (forest.byId.get(item.id)?.name ?? '').toLowerCase().startsWith(text),
        );
        if (match) focusNode(match.id);
      }
    }
    event.preventDefault();
    event.stopPropagation();
  };

  const matchedCount = tree.nodes.filter((node) => node.matched).length;
  return (
    <div className="mt-2">
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-muted">
        <p data-testid="process-tree-summary">
          {tree.nodes.length} process{tree.nodes.length === 1 ? '' : 'es'} on {tree.hostName ?? 'the host'}
          {tree.agentId ? ` (agent ${tree.agentId})` : ''}, {matchedCount} matched.
          {tree.window
            ? ` Descendants started ${new Date(tree.window.from).toLocaleString()} – ${new Date(tree.window.to).toLocaleString()}.`
            : ''}
        </p>
        <div className="flex gap-1">
          <Button variant="ghost" onClick={() => setExpanded(new Set(parents))}>
            Expand all
          </Button>
          <Button variant="ghost" onClick={() => setExpanded(new Set())}>
            Collapse all
          </Button>
        </div>
      </div>
      {tree.truncated ? (
        <p role="note" className="mt-1 text-xs text-sev-medium" data-testid="process-tree-truncated">
          Not every process is shown: the tree stops at 500 processes and 16 generations of ancestors.
        </p>
      ) : null}
      {tree.unlinkedMatches > 0 ? (
        <p className="mt-1 text-xs text-muted">
          {tree.unlinkedMatches} matched process event{tree.unlinkedMatches === 1 ? '' : 's'} without a
          process entity id (auditd) {tree.unlinkedMatches === 1 ? 'is' : 'are'} not in the tree.
        </p>
      ) : null}
      <ul
        role="tree"
        aria-labelledby="process-tree-title"
        className="mt-2 max-h-[36rem] overflow-auto rounded border border-line bg-surface p-2 text-sm"
        onKeyDown={onKeyDown}
      >
        {visible.map((row) => (
          <TreeRow
            key={row.id}
            row={row}
            node={forest.byId.get(row.id)!}
            parent={(forest.children.get(row.id)?.length ?? 0) > 0}
            open={expanded.has(row.id)}
            focused={row.id === current}
            register={(element) => {
              if (element) items.current.set(row.id, element);
              else items.current.delete(row.id);
            }}
            onFocus={() => setFocused(row.id)}
            onToggle={() => toggle(row.id)}
          />
        ))}
      </ul>
    </div>
  );
}

function TreeRow({
  row,
  node,
  parent,
  open,
  focused,
  register,
  onFocus,
  onToggle,
}: {
  row: Row;
  node: ProcessNode;
  parent: boolean;
  open: boolean;
  focused: boolean;
  register: (element: HTMLLIElement | null) => void;
  onFocus: () => void;
  onToggle: () => void;
}) {
  return (
    <li
      ref={register}
      role="treeitem"
      aria-level={row.level}
      aria-posinset={row.position}
      aria-setsize={row.siblings}
      aria-expanded={parent ? open : undefined}
      tabIndex={focused ? 0 : -1}
      data-entity-id={node.entityId}
      data-matched={node.matched ? 'true' : undefined}
      onFocus={onFocus}
      className={`flex min-w-0 cursor-default items-baseline gap-2 rounded py-1 pr-1.5 ${
        node.matched ? 'bg-sev-high/10 shadow-[inset_2px_0_0_var(--color-sev-high)]' : 'hover:bg-raised'
      }`}
      style={{ paddingLeft: `${0.375 + (row.level - 1) * 1.25}rem` }}
    >
      <span
        aria-hidden="true"
        className="inline-block w-4 shrink-0 cursor-pointer text-center text-muted select-none"
        onClick={() => {
          if (parent) onToggle();
        }}
      >
        {parent ? (open ? '▾' : '▸') : '·'}
      </span>
      <span className="shrink-0 font-medium whitespace-nowrap">
        {label(node)}
        {node.matched ? ' ' : null}
        {node.matched ? (
          <span className="ml-1 rounded border border-sev-high/50 bg-sev-high/20 px-1.5 py-0.5 text-xs font-semibold text-sev-high">
            matched
          </span>
        ) : null}
      </span>{' '}
      <span className="flex min-w-0 items-baseline gap-2 text-xs text-muted">
        <code
          className="min-w-0 max-w-[42rem] truncate font-mono text-fg/90"
          title={node.commandLine ?? undefined}
        >
          {node.commandLine ?? node.executable ?? '—'}
        </code>{' '}
        <span className="shrink-0 whitespace-nowrap">{node.user ?? '—'}</span>{' '}
        <span className="shrink-0 whitespace-nowrap">
          {node.firstSeen ? (
            <time dateTime={node.firstSeen}>{new Date(node.firstSeen).toLocaleString()}</time>
          ) : (
            '—'
          )}
        </span>{' '}
        <span className="shrink-0 whitespace-nowrap">
          {node.actions.length === 0
            ? 'its events are not stored'
            : node.actions.map((action) => ACTION_TEXT[action]).join(' · ')}
        </span>
      </span>
    </li>
  );
}
