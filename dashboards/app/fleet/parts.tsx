// Small pieces the fleet's tabs share: times with their absolute value, status badges (a label and a shape,
// never colour alone), cursor paging, a ticking clock and the tenant's agent groups.
import { useCallback, useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Button } from '../ui/primitives.js';
import { absoluteTime, relativeTime } from './format.js';
import type { AgentGroup, AgentStatus, EnrollmentToken } from './types.js';

/** A relative time ("2 min ago") with the absolute one as its title and machine-readable value. */
export function TimeAgo({ iso, now, never = 'never' }: { iso: string | null; now: number; never?: string }) {
  if (iso === null) return <span className="text-muted">{never}</span>;
  const absolute = absoluteTime(iso);
  return (
    <time dateTime={iso} title={absolute}>
      {relativeTime(iso, now)}
    </time>
  );
}

/** The current time, re-read every `everyMs` so relative times stay right without a reload. */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

const AGENT_STATUS: Record<AgentStatus, { label: string; mark: string; className: string }> = {
  online: { label: 'Online', mark: '●', className: 'border-emerald-400/50 text-emerald-300' },
  offline: { label: 'Offline', mark: '○', className: 'border-sev-high/50 text-sev-high' },
  revoked: { label: 'Revoked', mark: '⊘', className: 'border-line text-muted' },
};

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  const look = AGENT_STATUS[status];
  return (
    <span
      data-testid="agent-status"
      className={`inline-flex items-center gap-1 rounded border px-1.5 py-0.5 text-xs font-medium ${look.className}`}
    >
      <span aria-hidden="true">{look.mark}</span>
      {look.label}
    </span>
  );
}

const TOKEN_STATUS: Record<EnrollmentToken['status'], { label: string; className: string }> = {
  active: { label: 'Active', className: 'border-emerald-400/50 text-emerald-300' },
  used: { label: 'Used up', className: 'border-line text-muted' },
  expired: { label: 'Expired', className: 'border-line text-muted' },
  revoked: { label: 'Revoked', className: 'border-sev-critical/50 text-sev-critical' },
};

export function TokenStatusBadge({ status }: { status: EnrollmentToken['status'] }) {
  const look = TOKEN_STATUS[status];
  return (
    <span
      data-testid="token-status"
      className={`inline-block rounded border px-1.5 py-0.5 text-xs font-medium ${look.className}`}
    >
      {look.label}
    </span>
  );
}

/**
 * Cursor paging: the cursors of the pages before the current one. Starts again at the first page whenever
 * `key` (the filters) changes.
 */
export function useCursorPages(key: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key, stack: [] });
  const stack = state.key === key ? state.stack : [];
  return {
    cursor: stack.at(-1),
    page: stack.length + 1,
    next: (cursor: string) => setState({ key, stack: [...stack, cursor] }),
    previous: () => setState({ key, stack: stack.slice(0, -1) }),
    first: () => setState({ key, stack: [] }),
  };
}

export function Pager({
  label,
  page,
  shown,
  nextCursor,
  onNext,
  onPrevious,
}: {
  label: string;
  page: number;
  shown: number;
  nextCursor: string | null;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  if (page === 1 && nextCursor === null) return null;
  return (
    <nav aria-label={label} className="flex items-center gap-2 border-t border-line px-4 py-2 text-sm">
      <Button disabled={page === 1} onClick={onPrevious}>
        Previous
      </Button>
      <span className="text-muted">
        Page {page} · {shown} shown
      </span>
      <Button disabled={nextCursor === null} onClick={() => nextCursor !== null && onNext(nextCursor)}>
        Next
      </Button>
    </nav>
  );
}

/** Every agent group of the tenant (all pages), by name. */
export function useGroups(): {
  groups: AgentGroup[] | null;
  error: string | null;
  reload: () => void;
} {
  const { api } = useConsole();
  const [groups, setGroups] = useState<AgentGroup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    (async () => {
      const all: AgentGroup[] = [];
      let cursor: string | undefined;
      do {
        const page = await must(
          api.GET('/api/fleet/groups', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
        );
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return all;
    })()
      .then((all) => {
        if (!current) return;
        setGroups(all);
        setError(null);
      })
      .catch((failure: unknown) => current && setError(describe(failure)));
    return () => {
      current = false;
    };
  }, [api, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { groups, error, reload };
}

/** How often the agents' health is re-read: agents heartbeat every minute by default. */
export const REFRESH_MS = 15_000;

export const TABLE = 'w-full border-collapse text-left text-sm';
export const TH = 'sticky top-0 z-10 border-b border-line bg-panel px-3 py-2 text-xs font-medium text-muted';
export const TD = 'border-b border-line/60 px-3 py-2 align-middle';
