// Small pieces the rules pages share: an on/off switch (WAI-ARIA switch pattern), the source badge, the
// caller's write permission, and a one-shot message carried from one page to the next (after an upload or
// a delete).
import { useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import type { UploadResult } from './types.js';
import { must } from '../api/client.js';

export function Switch({
  checked,
  onChange,
  label,
  disabled = false,
  busy = false,
  title,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  disabled?: boolean;
  busy?: boolean;
  title?: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-busy={busy || undefined}
      disabled={disabled || busy}
      title={title}
      onClick={() => onChange(!checked)}
      className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full border transition-colors disabled:cursor-not-allowed disabled:opacity-50 ${checked ? 'border-accent bg-accent' : 'border-muted bg-surface'}`}
    >
      <span
        aria-hidden="true"
        className={`inline-block h-3.5 w-3.5 rounded-full transition-transform ${checked ? 'translate-x-4 bg-surface' : 'translate-x-0.5 bg-muted'}`}
      />
    </button>
  );
}

export function SourceBadge({ source, file }: { source: 'shipped' | 'tenant'; file?: string | null }) {
  return source === 'tenant' ? (
    <span
      className="inline-block rounded border border-accent/60 px-1.5 py-0.5 text-xs text-accent"
      title={file ? `Your rule file ${file}` : 'Your rule'}
    >
      tenant
    </span>
  ) : (
    <span
      className="inline-block rounded border border-line px-1.5 py-0.5 text-xs text-muted"
      title="Shipped with InoSec"
    >
      shipped
    </span>
  );
}

/**
 * Whether the signed-in user may switch rules and change rule files (`rules:write`). Until the answer is in
 * (or when it cannot be read) the controls stay usable and the API's 403 says why.
 */
export function useCanWrite(): boolean {
  const { api } = useConsole();
  const [canWrite, setCanWrite] = useState(true);
  useEffect(() => {
    let live = true;
    must(api.GET('/api/auth/me'))
      .then((me) => live && setCanWrite(me.permissions.includes('rules:write')))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  return canWrite;
}

export const READ_ONLY_HINT = 'Your role may read rules but not change them (rules:write)';

/** What one page tells the next: a stored upload's result, or a plain message. */
export type Flash = { kind: 'uploaded'; result: UploadResult } | { kind: 'message'; text: string };

const flashes = new Map<string, Flash>();

export function setFlash(path: string, flash: Flash): void {
  flashes.set(path, flash);
}

/** The message left for `path`, shown once (read on the first render, dropped after it). */
export function useFlash(path: string): Flash | null {
  const [flash] = useState(() => flashes.get(path) ?? null);
  useEffect(() => {
    flashes.delete(path);
  }, [path]);
  return flash;
}

export function formatTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
