// The hunt's results: time, host and the chosen fields per row, each row expandable to its raw JSON.
import { Fragment, useState } from 'react';
import type { HuntRow } from './data.js';

const TH = 'px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-muted';
const TD = 'px-3 py-1.5 align-top';

export function rowKey(row: HuntRow): string {
  return `${row.table}:${row.agentId}:${row.seq}:${row.time}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function ResultsTable({
  rows,
  columns,
  label,
}: {
  rows: HuntRow[];
  columns: string[];
  label: string;
}) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <div className="flex-1 overflow-auto" tabIndex={0} role="region" aria-label={label}>
      <table className="w-full border-collapse text-sm" data-testid="hunt-results">
        <thead className="sticky top-0 bg-panel">
          <tr>
            <th className={TH}>
              <span className="sr-only">Raw event</span>
            </th>
            <th className={TH}>Time</th>
            <th className={TH}>Host</th>
            {columns.map((column) => (
              <th key={column} className={`${TH} normal-case`}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = rowKey(row);
            const expanded = open.has(key);
            return (
              <Fragment key={key}>
                <tr className="border-b border-line/60" data-testid="hunt-row">
                  <td className={TD}>
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-label={`${expanded ? 'Hide' : 'Show'} the raw event ${row.seq} of ${row.hostName ?? row.agentId}`}
                      onClick={() => toggle(key)}
                      className="rounded px-1.5 text-muted hover:bg-raised hover:text-fg"
                    >
                      {expanded ? '▾' : '▸'}
                    </button>
                  </td>
                  <td className={`${TD} whitespace-nowrap font-mono text-xs`}>
                    <time dateTime={row.time} title={new Date(row.time).toLocaleString()}>
                      {row.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z')}
                    </time>
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>{row.hostName ?? row.agentId}</td>
                  {columns.map((column) => (
                    <td key={column} className={`${TD} max-w-md font-mono text-xs break-all`}>
                      {show(row.fields[column])}
                    </td>
                  ))}
                </tr>
                {expanded ? (
                  <tr className="border-b border-line/60 bg-surface">
                    <td colSpan={columns.length + 3} className="px-3 py-2">
                      <pre
                        className="max-h-80 overflow-auto text-xs whitespace-pre-wrap"
                        tabIndex={0}
                        aria-label={`Raw event ${row.seq}`}
                        data-testid="hunt-raw"
                      >
                        {JSON.stringify(row, null, 2)}
                      </pre>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
