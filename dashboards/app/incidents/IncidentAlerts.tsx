// The incident's alerts: each links to its alert page and can be removed; another alert is added by its id
// (or a pasted alert link). The API refuses an alert of another incident (409) or tenant (422): the message
// is shown at the field.
import { useState } from 'react';
import { Link } from '../shell/Shell.js';
import { Button, INPUT, SeverityBadge, StatusBadge } from '../ui/primitives.js';
import type { IncidentAlert } from './types.js';

const UUID_IN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function IncidentAlerts({
  alerts,
  alertCount,
  onAdd,
  onRemove,
}: {
  alerts: IncidentAlert[];
  alertCount: number;
  /** Resolves to an error message, or null when the alert was added. */
  onAdd: (alertId: string) => Promise<string | null>;
  onRemove: (alert: IncidentAlert) => Promise<void>;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function add(): Promise<void> {
    const id = UUID_IN.exec(value)?.[0]?.toLowerCase();
    if (!id) {
      setError('Enter an alert id (a UUID such as 0b8e…-…) or paste the link of an alert.');
      return;
    }
    if (alerts.some((alert) => alert.id === id)) {
      setError('This alert is already in the incident.');
      return;
    }
    setBusy(true);
    setError(null);
    const failure = await onAdd(id);
    setBusy(false);
    if (failure) setError(failure);
    else setValue('');
  }

  return (
    <section aria-labelledby="incident-alerts-title" className="mt-8">
      <h2 id="incident-alerts-title" className="text-base font-semibold">
        Alerts ({alertCount})
      </h2>
      {alerts.length === 0 ? (
        <p className="mt-2 text-sm text-muted">
          No alerts yet. Add one by its id below, or from an alert&apos;s page.
        </p>
      ) : (
        <table className="mt-2 w-full text-left text-sm" data-testid="incident-alerts">
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-1 pr-3 font-normal">
                Severity
              </th>
              <th scope="col" className="py-1 pr-3 font-normal">
                Alert
              </th>
              <th scope="col" className="hidden py-1 pr-3 font-normal md:table-cell">
                Host
              </th>
              <th scope="col" className="py-1 pr-3 font-normal">
                Status
              </th>
              <th scope="col" className="hidden py-1 pr-3 font-normal xl:table-cell">
                Last seen
              </th>
              <th scope="col" className="py-1 font-normal">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr
                key={alert.id}
                data-testid="incident-alert"
                data-alert-id={alert.id}
                className="border-t border-line/60 align-top"
              >
                <td className="py-1.5 pr-3">
                  <SeverityBadge severity={alert.severity} />
                </td>
                <td className="py-1.5 pr-3">
                  <Link href={`/alerts/${alert.id}`} className="text-accent hover:underline">
                    {alert.title}
                  </Link>
                  <span className="ml-1 text-xs text-muted">×{alert.count}</span>
                </td>
                <td className="hidden py-1.5 pr-3 text-muted md:table-cell">{alert.host.name ?? '—'}</td>
                <td className="py-1.5 pr-3">
                  <StatusBadge status={alert.status} />
                </td>
                <td className="hidden py-1.5 pr-3 text-xs whitespace-nowrap text-muted xl:table-cell">
                  <time dateTime={alert.lastSeen}>{new Date(alert.lastSeen).toLocaleString()}</time>
                </td>
                <td className="py-1.5 text-right">
                  <Button
                    variant="ghost"
                    aria-label={`Remove ${alert.title} from the incident`}
                    onClick={() => void onRemove(alert)}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {alertCount > alerts.length ? (
        <p className="mt-1 text-xs text-muted">
          Showing the first {alerts.length} of {alertCount} alerts.
        </p>
      ) : null}
      <form
        className="mt-3 flex flex-wrap items-start gap-2"
        aria-label="Add an alert"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <div className="min-w-64 flex-1">
          <input
            className={INPUT}
            name="alertId"
            aria-label="Alert id or link"
            placeholder="Alert id or link"
            value={value}
            aria-invalid={error !== null}
            aria-describedby={error ? 'add-alert-error' : undefined}
            onChange={(e) => setValue(e.target.value)}
          />
          {error ? (
            <p id="add-alert-error" role="alert" className="mt-1 text-xs text-sev-critical">
              {error}
            </p>
          ) : null}
        </div>
        <Button type="submit" disabled={busy || value.trim() === ''}>
          Add alert
        </Button>
      </form>
    </section>
  );
}
