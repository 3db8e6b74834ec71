// One row of the rule table (and its header): the switch, what the rule is, and its figures in this tenant.
import type { ReactNode } from 'react';
import { Link } from '../shell/Shell.js';
import { SeverityBadge } from '../ui/primitives.js';
import { logsourceLabel, noiseBand, type NoiseBand, type RuleSort } from './filters.js';
import { formatTime, SourceBadge, Switch } from './parts.js';
import type { RuleItem } from './types.js';

export const ROW_HEIGHT = 44;

const COLUMNS = {
  state: 'w-16 shrink-0',
  title: 'min-w-0 flex-1',
  level: 'w-28 shrink-0',
  source: 'w-20 shrink-0',
  alerts: 'w-16 shrink-0 text-right',
  open: 'w-14 shrink-0 text-right',
  hits: 'w-20 shrink-0 text-right',
  noise: 'w-32 shrink-0',
  lastSeen: 'hidden w-40 shrink-0 text-right xl:block',
} as const;

const BAND_CLASS: Record<NoiseBand, string> = {
  high: 'text-sev-high',
  elevated: 'text-sev-medium',
  low: 'text-muted',
  none: 'text-muted',
};

function SortHeader({
  label,
  column,
  sort,
  onSort,
  className,
}: {
  label: string;
  column: RuleSort;
  sort: RuleSort;
  onSort: (sort: RuleSort) => void;
  className: string;
}) {
  const active = sort === column;
  return (
    <span
      role="columnheader"
      aria-sort={active ? (column === 'title' ? 'ascending' : 'descending') : 'none'}
      className={className}
    >
      <button
        type="button"
        onClick={() => onSort(column)}
        className={`tracking-wide uppercase hover:text-fg ${active ? 'text-fg underline underline-offset-4' : ''}`}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        {active ? (column === 'title' ? ' ↑' : ' ↓') : ''}
      </button>
    </span>
  );
}

export function RuleTableHeader({ sort, onSort }: { sort: RuleSort; onSort: (sort: RuleSort) => void }) {
  const plain = (label: string, className: string): ReactNode => (
    <span role="columnheader" className={className}>
      {label}
    </span>
  );
  const sortable = (label: string, column: RuleSort, className: string): ReactNode => (
    <SortHeader label={label} column={column} sort={sort} onSort={onSort} className={className} />
  );
  return (
    <div role="rowgroup" className="sticky top-0 z-10 border-b border-line bg-panel">
      <div
        role="row"
        aria-rowindex={1}
        className="flex h-9 items-center gap-3 px-4 text-xs font-medium tracking-wide text-muted uppercase"
      >
        {plain('On', COLUMNS.state)}
        {sortable('Title · log source', 'title', COLUMNS.title)}
        {sortable('Level', 'level', COLUMNS.level)}
        {plain('Source', COLUMNS.source)}
        {sortable('Alerts', 'alerts', COLUMNS.alerts)}
        {sortable('Open', 'open', COLUMNS.open)}
        {sortable('Hits', 'hits', COLUMNS.hits)}
        {plain('Noise', COLUMNS.noise)}
        {sortable('Last seen', 'lastSeen', COLUMNS.lastSeen)}
      </div>
    </div>
  );
}

function AlertLink({ count, href, what }: { count: number; href: string; what: string }) {
  if (count === 0) return <span className="text-muted">0</span>;
  return (
    <Link href={href} className="hover:underline">
      {count.toLocaleString()}
      <span className="sr-only"> {what}</span>
    </Link>
  );
}

export function RuleRow({
  rule,
  index,
  hitsInAll,
  busy,
  switchable,
  switchHint,
  onToggle,
}: {
  rule: RuleItem;
  index: number;
  hitsInAll: number;
  busy: boolean;
  switchable: boolean;
  switchHint: string | undefined;
  onToggle: (enabled: boolean) => void;
}) {
  const share = hitsInAll > 0 ? rule.stats.hits / hitsInAll : 0;
  const band = noiseBand(share, rule.stats.hits);
  const key = encodeURIComponent(rule.key);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-testid="rule-row"
      data-rule-key={rule.key}
      className={`absolute right-0 left-0 flex items-center gap-3 border-b border-line/60 px-4 text-sm ${rule.enabled ? '' : 'text-muted'}`}
      style={{ top: index * ROW_HEIGHT, height: ROW_HEIGHT }}
    >
      <span role="cell" className={COLUMNS.state}>
        <Switch
          checked={rule.enabled}
          onChange={onToggle}
          label={`Enable ${rule.title}`}
          busy={busy}
          disabled={!switchable}
          {...(switchHint ? { title: switchHint } : {})}
        />
      </span>
      <span role="cell" className={COLUMNS.title} title={rule.description ?? rule.title}>
        <span className="block truncate">
          {rule.file ? (
            <Link href={`/rules/files/${rule.file}`} className="hover:underline">
              {rule.title}
            </Link>
          ) : (
            rule.title
          )}
          <span className="sr-only">{rule.enabled ? ' (enabled)' : ' (disabled)'}</span>
        </span>
        <span className="block truncate text-xs text-muted">
          {logsourceLabel(rule)}
          {rule.file ? ` · file ${rule.file}` : ''}
        </span>
      </span>
      <span role="cell" className={COLUMNS.level}>
        {rule.level ? <SeverityBadge severity={rule.level} /> : <span className="text-muted">—</span>}
      </span>
      <span role="cell" className={COLUMNS.source}>
        <SourceBadge source={rule.source} file={rule.file} />
      </span>
      <span role="cell" className={`${COLUMNS.alerts} font-mono`}>
        <AlertLink
          count={rule.stats.alerts}
          href={`/alerts?rule=${key}&status=new,acknowledged,closed&range=all`}
          what="alerts"
        />
      </span>
      <span role="cell" className={`${COLUMNS.open} font-mono`}>
        <AlertLink count={rule.stats.open} href={`/alerts?rule=${key}&range=all`} what="open alerts" />
      </span>
      <span role="cell" className={`${COLUMNS.hits} font-mono`} data-testid="rule-hits">
        {rule.stats.hits.toLocaleString()}
      </span>
      <span role="cell" className={`${COLUMNS.noise} flex items-center gap-2 text-xs`}>
        {band === 'none' ? (
          <span className="text-muted">—</span>
        ) : (
          <>
            <span aria-hidden="true" className="h-1.5 w-10 shrink-0 overflow-hidden rounded bg-raised">
              <span
                className={`block h-full ${band === 'high' ? 'bg-sev-high' : band === 'elevated' ? 'bg-sev-medium' : 'bg-muted'}`}
                style={{ width: `${Math.max(4, Math.round(share * 100))}%` }}
              />
            </span>
            <span className={BAND_CLASS[band]}>
              {share < 0.01 ? '<1' : Math.round(share * 100)}% {band}
            </span>
          </>
        )}
      </span>
      <span role="cell" className={`${COLUMNS.lastSeen} text-xs text-muted`}>
        {rule.stats.lastSeen ? (
          <time dateTime={rule.stats.lastSeen}>{formatTime(rule.stats.lastSeen)}</time>
        ) : (
          'never'
        )}
      </span>
    </div>
  );
}
