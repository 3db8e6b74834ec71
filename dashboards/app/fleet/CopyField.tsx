// A read-only value with a Copy button: the clipboard API when the browser allows it (a visible "Copied"),
// otherwise the text is selected for Ctrl+C, so a refused clipboard never leaves the user stuck.
import { useId, useRef, useState } from 'react';
import { Button } from '../ui/primitives.js';

export function CopyField({
  label,
  value,
  rows = 3,
  testId,
}: {
  label: string;
  value: string;
  rows?: number;
  testId?: string;
}) {
  const id = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  const [state, setState] = useState<{ value: string; outcome: 'copied' | 'selected' } | null>(null);
  const outcome = state?.value === value ? state.outcome : null;

  function select(): void {
    const element = field.current;
    if (!element) return;
    element.focus();
    element.setSelectionRange(0, element.value.length);
  }

  async function copy(): Promise<void> {
    try {
      // Absent outside a secure context (plain http to a non-local address): the fallback handles it.
      const clipboard = (navigator as Partial<Navigator>).clipboard;
      if (clipboard === undefined) throw new Error('no clipboard');
      await clipboard.writeText(value);
      setState({ value, outcome: 'copied' });
    } catch {
      select();
      setState({ value, outcome: 'selected' });
    }
  }

  return (
    <div className="text-sm">
      <label htmlFor={id} className="mb-1 block text-muted">
        {label}
      </label>
      <textarea
        id={id}
        ref={field}
        readOnly
        rows={rows}
        value={value}
        spellCheck={false}
        onFocus={select}
        data-testid={testId}
        className="w-full resize-none rounded border border-line bg-surface px-2.5 py-1.5 font-mono text-xs break-all text-fg focus:border-accent"
      />
      <div className="mt-1 flex items-center gap-3">
        <Button onClick={() => void copy()}>Copy</Button>
        <span role="status" aria-live="polite" className="text-xs">
          {outcome === 'copied' ? (
            <span className="text-emerald-300">✓ Copied</span>
          ) : outcome === 'selected' ? (
            <span className="text-sev-high">
              The browser refused the clipboard: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it.
            </span>
          ) : null}
        </span>
      </div>
    </div>
  );
}
