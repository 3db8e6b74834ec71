// One alert: what fired (rule, MITRE technique), where (host), its matched events with the raw event, the
// process tree of a process alert, and the analyst's actions: assign, acknowledge, close with a reason,
// reopen, suppress the rule for the host.
import { useCallback, useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { useDirectory } from '../api/directory.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import {
  Button,
  Dialog,
  ErrorState,
  Field,
  INPUT,
  Loading,
  SeverityBadge,
  StatusBadge,
} from '../ui/primitives.js';
import { AssigneeField } from '../ui/AssigneeField.js';
import { CloseDialog } from './CloseDialog.js';
import { ProcessTreeSection } from './ProcessTree.js';
import { useAlertStream } from './stream.js';
import type { AlertDetail } from './types.js';

export function AlertDetailView({ id }: { id: string }) {
  const { api, session } = useConsole();
  const [alert, setAlert] = useState<AlertDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const [suppressing, setSuppressing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [raw, setRaw] = useState<number | null>(0);
  const [busy, setBusy] = useState(false);
  const directory = useDirectory();

  const load = useCallback(() => {
    setError(null);
    must(api.GET('/api/alerts/{id}', { params: { path: { id } } }))
      .then(setAlert)
      .catch((failure: unknown) => setError(describe(failure)));
  }, [api, id]);
  useEffect(load, [load]);
  useAlertStream(session, {
    alert: (_event, data) => data.id === id && load(),
    resync: load,
  });

  async function run(action: () => Promise<unknown>, done: string): Promise<void> {
    setBusy(true);
    try {
      await action();
      setNotice(done);
      load();
    } catch (failure) {
      setNotice(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  if (error) return <ErrorState message={error} onRetry={load} />;
  if (alert === null) return <Loading what="the alert" />;
  const open = alert.status !== 'closed';
  return (
    <article aria-labelledby="alert-title" className="h-full overflow-auto p-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/alerts" className="hover:underline">
          Alerts
        </Link>{' '}
        / {alert.rule.name}
      </nav>
      <header className="mt-2 flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 id="alert-title" className="text-xl font-semibold">
            {alert.title}
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm">
            <SeverityBadge severity={alert.severity} /> <StatusBadge status={alert.status} />
            <span className="text-muted">
              {alert.count} event{alert.count === 1 ? '' : 's'} · first{' '}
              {new Date(alert.firstSeen).toLocaleString()} · last {new Date(alert.lastSeen).toLocaleString()}
            </span>
          </p>
        </div>
        <div className="flex gap-2">
          {alert.status === 'new' ? (
            <Button
              variant="primary"
              onClick={() =>
                void run(
                  () => must(api.POST('/api/alerts/{id}/acknowledge', { params: { path: { id } } })),
                  'Acknowledged',
                )
              }
            >
              Acknowledge
            </Button>
          ) : null}
          {open ? (
            <Button onClick={() => setClosing(true)}>Close…</Button>
          ) : (
            <Button
              onClick={() =>
                void run(
                  () => must(api.POST('/api/alerts/{id}/reopen', { params: { path: { id } } })),
                  'Reopened',
                )
              }
            >
              Reopen
            </Button>
          )}
          {alert.host.name ? <Button onClick={() => setSuppressing(true)}>Suppress for host…</Button> : null}
          {alert.incidentId ? (
            <Link
              href={`/incidents/${alert.incidentId}`}
              className="rounded border border-line px-3 py-1.5 text-sm hover:bg-raised"
            >
              Open its incident
            </Link>
          ) : (
            <Link
              href={`/incidents?create=1&alert=${alert.id}`}
              className="rounded border border-line px-3 py-1.5 text-sm hover:bg-raised"
            >
              Create incident…
            </Link>
          )}
        </div>
      </header>
      {notice ? (
        <p role="status" className="mt-3 text-sm text-muted">
          {notice}
        </p>
      ) : null}

      <dl className="mt-6 grid grid-cols-1 gap-x-8 gap-y-3 text-sm md:grid-cols-2">
        <div>
          <dt className="text-muted">Rule</dt>
          <dd>
            {alert.rule.name}{' '}
            <span className="font-mono text-xs text-muted">
              ({alert.rule.ruleset}: {alert.rule.id})
            </span>
          </dd>
        </div>
        <div>
          <dt className="text-muted">Host</dt>
          <dd>
            {alert.host.name ?? '—'}{' '}
            {alert.host.agentId ? (
              <span className="font-mono text-xs text-muted">agent {alert.host.agentId}</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="text-muted">MITRE ATT&amp;CK</dt>
          <dd className="flex flex-wrap gap-1.5">
            {alert.techniques.length === 0 ? '—' : null}
            {alert.techniques.map((technique) => (
              <a
                key={technique}
                className="rounded border border-line px-1.5 font-mono text-xs text-accent hover:underline"
                href={`https://attack.mitre.org/techniques/${technique.replace('.', '/')}/`}
                target="_blank"
                rel="noreferrer noopener"
              >
                {technique}
              </a>
            ))}
            {alert.tactics.map((tactic) => (
              <span key={tactic} className="rounded bg-raised px-1.5 text-xs text-muted">
                {tactic}
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt className="text-muted">Description</dt>
          <dd>{alert.description ?? '—'}</dd>
        </div>
        <div>
          <dt className="sr-only">Assignee</dt>
          <dd className="flex max-w-md flex-wrap items-end gap-2" data-testid="alert-assignee">
            <div className="min-w-56 flex-1">
              <AssigneeField
                assignee={alert.assignee}
                directory={directory}
                busy={busy}
                assign={(to, done) =>
                  void run(
                    () =>
                      must(
                        api.PATCH('/api/alerts/{id}', {
                          params: { path: { id } },
                          body: { assigneeId: to },
                        }),
                      ),
                    done,
                  )
                }
              />
            </div>
          </dd>
        </div>
        {alert.closeReason ? (
          <div>
            <dt className="text-muted">Closed as</dt>
            <dd>
              {alert.closeReason.replace('_', ' ')}
              {alert.closeComment ? ` — ${alert.closeComment}` : ''}
            </dd>
          </div>
        ) : null}
      </dl>

      <section aria-labelledby="events-title" className="mt-8">
        <h2 id="events-title" className="text-base font-semibold">
          Matched events ({alert.events.length} of {alert.eventRefs})
        </h2>
        {alert.events.length === 0 ? (
          <p className="mt-2 text-sm text-muted">
            The matched events are no longer stored (retention) or were not kept.
          </p>
        ) : (
          <table className="mt-2 w-full text-left text-sm">
            <thead className="text-muted">
              <tr>
                <th scope="col" className="py-1 pr-3 font-normal">
                  Time
                </th>
                <th scope="col" className="py-1 pr-3 font-normal">
                  Sensor
                </th>
                <th scope="col" className="py-1 pr-3 font-normal">
                  Host
                </th>
                <th scope="col" className="py-1 pr-3 font-normal">
                  Summary
                </th>
                <th scope="col" className="py-1 font-normal">
                  <span className="sr-only">Raw</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {alert.events.map((event, index) => (
                <tr key={`${event.agentId}:${event.seq}`} className="border-t border-line/60 align-top">
                  <td className="py-1.5 pr-3 whitespace-nowrap">
                    <time dateTime={event.time}>{new Date(event.time).toLocaleString()}</time>
                  </td>
                  <td className="py-1.5 pr-3">{event.sensor}</td>
                  <td className="py-1.5 pr-3">{event.hostName ?? '—'}</td>
                  <td className="py-1.5 pr-3 font-mono text-xs break-all">{summary(event.fields)}</td>
                  <td className="py-1.5">
                    <Button
                      variant="ghost"
                      aria-expanded={raw === index}
                      onClick={() => setRaw(raw === index ? null : index)}
                    >
                      Raw
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {raw !== null && alert.events[raw] ? (
          <pre
            tabIndex={0}
            aria-label="Raw event (JSON)"
            data-testid="raw-event"
            className="mt-3 max-h-96 overflow-auto rounded border border-line bg-surface p-3 font-mono text-xs"
          >
            {JSON.stringify(alert.events[raw], null, 2)}
          </pre>
        ) : null}
      </section>

      {alert.events.some((event) => event.table === 'events' && event.fields['kind'] === 'process') ? (
        <ProcessTreeSection alertId={alert.id} lastSeen={alert.lastSeen} />
      ) : null}

      <CloseDialog
        count={1}
        open={closing}
        onOpenChange={setClosing}
        onClose={async (reason, comment) => {
          setClosing(false);
          await run(
            () =>
              must(
                api.POST('/api/alerts/{id}/close', {
                  params: { path: { id } },
                  body: { reason, ...(comment ? { comment } : {}) },
                }),
              ),
            'Closed',
          );
        }}
      />
      <SuppressDialog
        open={suppressing}
        onOpenChange={setSuppressing}
        host={alert.host.name ?? ''}
        rule={alert.rule.name}
        onSuppress={async (reason) => {
          setSuppressing(false);
          await run(
            () =>
              must(
                api.POST('/api/suppressions', {
                  body: { ruleId: alert.rule.id, hostName: alert.host.name ?? undefined, reason },
                }),
              ),
            `Suppressed ${alert.rule.name} on ${alert.host.name ?? 'this host'}`,
          );
        }}
      />
    </article>
  );
}

/** The fields an analyst reads first, in one line. */
function summary(fields: Record<string, unknown>): string {
  const keys = [
    'processCommandLine',
    'processExecutable',
    'userName',
    'sourceIp',
    'destinationIp',
    'destinationPort',
    'filePath',
    'message',
  ];
  const picked = keys
    .filter((key) => fields[key] !== undefined && fields[key] !== null)
    .map((key) => `${key}=${String(fields[key])}`);
  const text = picked.length ? picked.join(' ') : JSON.stringify(fields);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function SuppressDialog({
  open,
  onOpenChange,
  host,
  rule,
  onSuppress,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  host: string;
  rule: string;
  onSuppress: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Suppress for this host"
      description={`${rule} will stop raising alerts for ${host}.`}
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          void onSuppress(reason.trim());
        }}
      >
        <Field label="Why">
          <input
            className={INPUT}
            required
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            name="reason"
          />
        </Field>
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="danger">
            Suppress
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
