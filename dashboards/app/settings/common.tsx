// What the settings pages share: loading a resource with its states, the "missing permission" state (a 403
// is a fact about the caller, not an error), confirmations, outcome notices and permission-aware checklists.
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError, describe } from '../api/problem.js';
import { Button, Dialog, ErrorState, Loading } from '../ui/primitives.js';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and on reload; keeps the last data while reloading and drops answers that come late. */
export function useResource<T>(load: () => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    load()
      .then((value) => {
        if (mine === generation.current) setData(value);
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure);
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [load]);
  useEffect(reload, [reload]);
  return { data, error, loading, reload };
}

export interface PagedResource<T> extends Resource<T[]> {
  nextCursor: string | null;
  loadingMore: boolean;
  loadMore: () => void;
}

/** A cursor-paged list: the first page on load and reload, further pages appended on demand. */
export function usePaged<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): PagedResource<T> {
  const [data, setData] = useState<T[] | undefined>(undefined);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    fetchPage(undefined)
      .then((page) => {
        if (mine !== generation.current) return;
        setData(page.items);
        setNextCursor(page.nextCursor);
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure);
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [fetchPage]);
  useEffect(reload, [reload]);
  const loadMore = useCallback(() => {
    if (nextCursor === null || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    fetchPage(nextCursor)
      .then((page) => {
        if (mine !== generation.current) return;
        setData((current) => [...(current ?? []), ...page.items]);
        setNextCursor(page.nextCursor);
      })
      .catch((failure: unknown) => {
        if (mine === generation.current) setError(failure);
      })
      .finally(() => setLoadingMore(false));
  }, [fetchPage, nextCursor, loadingMore]);
  return { data, error, loading, reload, nextCursor, loadingMore, loadMore };
}

/** "Load more" under a paged list, while there is more. */
export function MoreButton<T>({ list, what }: { list: PagedResource<T>; what: string }) {
  if (list.nextCursor === null) return null;
  return (
    <Button className="mt-3" disabled={list.loadingMore} onClick={list.loadMore}>
      {list.loadingMore ? 'Loading…' : `Load more ${what}`}
    </Button>
  );
}

/** The permission a 403 names (`missing permission users:read`), or undefined for any other failure. */
export function missingPermission(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 403) return undefined;
  if (error.problem.code !== 'missing_permission') return undefined;
  return /missing permission (\S+)/.exec(error.problem.detail ?? '')?.[1] ?? 'unknown';
}

export function PermissionDenied({ permission, what }: { permission: string; what: string }) {
  const id = useId();
  return (
    <section
      aria-labelledby={id}
      data-testid="permission-denied"
      className="m-4 rounded border border-line bg-panel p-4 text-sm"
    >
      <h2 id={id} className="font-medium">
        You do not have permission {permission}
      </h2>
      <p className="mt-1 text-muted">
        {what} needs the <code className="font-mono text-fg">{permission}</code> permission. Ask a tenant
        administrator for a role that includes it.
      </p>
    </section>
  );
}

/** A resource that is not ready: loading, a missing permission (403), or an error with a retry. */
export function NotReady<T>({ resource, what }: { resource: Resource<T>; what: string }) {
  if (resource.error !== undefined) {
    const missing = missingPermission(resource.error);
    if (missing !== undefined) return <PermissionDenied permission={missing} what={`Seeing ${what}`} />;
    return <ErrorState message={describe(resource.error)} onRetry={resource.reload} />;
  }
  return <Loading what={what} />;
}

export type Outcome = { ok: boolean; message: string } | null;

/** The outcome of the last action: a status for success, an alert for a failure. */
export function OutcomeNotice({ outcome, className = '' }: { outcome: Outcome; className?: string }) {
  if (outcome === null) return null;
  return outcome.ok ? (
    <p role="status" className={`text-sm text-muted ${className}`}>
      {outcome.message}
    </p>
  ) : (
    <p role="alert" className={`text-sm text-sev-critical ${className}`}>
      {outcome.message}
    </p>
  );
}

/** The message of a failed action; a missing permission says which. */
export function failureMessage(error: unknown): string {
  const missing = missingPermission(error);
  if (missing !== undefined) return `You do not have permission ${missing}.`;
  return describe(error);
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function TimeCell({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{formatTime(iso)}</time> : <span className="text-muted">never</span>;
}

/** A confirmation for actions that end access (sessions, users). */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirm,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  confirm: string;
  onConfirm: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} description={description}>
      <div className="flex justify-end gap-2">
        <Button onClick={() => onOpenChange(false)}>Cancel</Button>
        <Button
          variant="danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onConfirm().finally(() => setBusy(false));
          }}
        >
          {confirm}
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * A group of checkboxes (roles of a user, permissions of a role). Options the caller may not grant are shown
 * but cannot be changed, with the reason.
 */
export function CheckList({
  legend,
  options,
  selected,
  onChange,
  className = '',
}: {
  legend: string;
  options: Array<{ value: string; label: string; hint?: string; locked?: string }>;
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  className?: string;
}) {
  const id = useId();
  return (
    <fieldset className={className}>
      <legend className="mb-1 text-sm text-muted">{legend}</legend>
      <ul
        className="max-h-64 space-y-1 overflow-auto rounded border border-line bg-surface p-2"
        tabIndex={0}
        aria-label={`${legend} (scrollable)`}
      >
        {options.map((option, index) => {
          const hint = option.hint || option.locked ? `${id}-${index}` : undefined;
          return (
            <li key={option.value}>
              <label
                className={`flex items-start gap-2 text-sm ${option.locked ? 'cursor-not-allowed opacity-60' : 'cursor-pointer'}`}
              >
                <input
                  type="checkbox"
                  className="mt-0.5 accent-accent"
                  aria-label={option.label}
                  aria-describedby={hint}
                  checked={selected.has(option.value)}
                  disabled={option.locked !== undefined}
                  onChange={(event) => {
                    const next = new Set(selected);
                    if (event.target.checked) next.add(option.value);
                    else next.delete(option.value);
                    onChange(next);
                  }}
                />
                <span>
                  <span className="font-medium">{option.label}</span>
                  {hint ? (
                    <span id={hint} className="block text-xs text-muted">
                      {[option.hint, option.locked].filter(Boolean).join(' · ')}
                    </span>
                  ) : null}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

export function Section({
  id,
  title,
  description,
  actions,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-line bg-panel p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id={id} className="text-base font-semibold">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-sm text-muted">{description}</p> : null}
        </div>
        {actions ? <div className="flex gap-2">{actions}</div> : null}
      </div>
      <div className="mt-3">{children}</div>
    </section>
  );
}
