// The console's design system: small primitives over Radix (dialogs, checkboxes) styled with Tailwind, one
// dark theme. Every view shows loading, empty and error states with the same components.
import * as CheckboxPrimitive from '@radix-ui/react-checkbox';
import * as DialogPrimitive from '@radix-ui/react-dialog';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

const VARIANTS = {
  primary: 'bg-accent text-surface hover:brightness-110',
  secondary: 'bg-raised text-fg border border-line hover:bg-line',
  danger: 'bg-sev-critical text-surface hover:brightness-110',
  ghost: 'text-muted hover:text-fg hover:bg-raised',
} as const;

export function Button({
  variant = 'secondary',
  className = '',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof VARIANTS }) {
  return (
    <button
      type="button"
      {...props}
      className={`inline-flex items-center gap-1.5 rounded px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50 ${VARIANTS[variant]} ${className}`}
    />
  );
}

export const SEVERITY_CLASS: Record<string, string> = {
  critical: 'bg-sev-critical/20 text-sev-critical border-sev-critical/50',
  high: 'bg-sev-high/20 text-sev-high border-sev-high/50',
  medium: 'bg-sev-medium/15 text-sev-medium border-sev-medium/50',
  low: 'bg-sev-low/15 text-sev-low border-sev-low/50',
  informational: 'bg-sev-informational/15 text-sev-informational border-sev-informational/40',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span
      className={`inline-block rounded border px-1.5 py-0.5 text-xs font-semibold uppercase tracking-wide ${SEVERITY_CLASS[severity] ?? ''}`}
    >
      {severity}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const tone =
    status === 'new'
      ? 'text-fg border-line'
      : status === 'acknowledged'
        ? 'text-accent border-accent/50'
        : 'text-muted border-line';
  return <span className={`inline-block rounded border px-1.5 py-0.5 text-xs ${tone}`}>{status}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite" className="p-6 text-sm text-muted">
      Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="p-10 text-center">
      <p className="text-base font-medium">{title}</p>
      {children ? <div className="mt-2 text-sm text-muted">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="m-4 rounded border border-sev-critical/50 bg-sev-critical/10 p-4 text-sm">
      <p className="font-medium text-sev-critical">Something went wrong</p>
      <p className="mt-1 text-fg">{message}</p>
      {onRetry ? (
        <Button className="mt-3" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}

export function Checkbox({
  checked,
  onChange,
  label,
}: {
  checked: boolean | 'indeterminate';
  onChange: (checked: boolean) => void;
  label: string;
}) {
  return (
    <CheckboxPrimitive.Root
      checked={checked}
      onCheckedChange={(value) => onChange(value === true)}
      aria-label={label}
      className="flex h-4 w-4 shrink-0 items-center justify-center rounded border border-muted bg-panel data-[state=checked]:border-accent data-[state=checked]:bg-accent data-[state=indeterminate]:bg-accent"
    >
      <CheckboxPrimitive.Indicator className="text-[10px] leading-none font-bold text-surface">
        {checked === 'indeterminate' ? '–' : '✓'}
      </CheckboxPrimitive.Indicator>
    </CheckboxPrimitive.Root>
  );
}

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <DialogPrimitive.Root open={open} onOpenChange={onOpenChange}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 bg-black/60" />
        <DialogPrimitive.Content className="fixed top-1/2 left-1/2 w-[28rem] max-w-[92vw] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-line bg-panel p-5 shadow-xl">
          <DialogPrimitive.Title className="text-lg font-semibold">{title}</DialogPrimitive.Title>
          <DialogPrimitive.Description className="mt-1 text-sm text-muted">
            {description}
          </DialogPrimitive.Description>
          <div className="mt-4">{children}</div>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block text-muted">{label}</span>
      {children}
      {hint ? <span className="mt-1 block text-xs text-muted">{hint}</span> : null}
    </label>
  );
}

export const INPUT =
  'w-full rounded border border-line bg-surface px-2.5 py-1.5 text-sm text-fg placeholder:text-muted/70 focus:border-accent';
