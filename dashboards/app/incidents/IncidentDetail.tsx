// One incident: its status workflow (only the transitions the API allows), severity and assignee, its alerts
// (add by id, remove), notes, and the timeline of activity and the alerts' matched events. It refreshes live
// when the incident or one of its alerts changes, and after every action.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { ApiError, describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, ErrorState, INPUT, Loading, SeverityBadge } from '../ui/primitives.js';
import { IncidentAlerts } from './IncidentAlerts.js';
import { EditDialog, ResolveDialog } from './IncidentDialogs.js';
import { IncidentNotes } from './IncidentNotes.js';
import { IncidentStatusBadge } from './IncidentStatusBadge.js';
import { useDirectory, type Directory } from '../api/directory.js';
import { AssigneeField } from '../ui/AssigneeField.js';
import { StreamIndicator, useIncidentStream } from './stream.js';
import { Timeline, type TimelineFilter } from './Timeline.js';
import {
  SEVERITIES,
  transitionLabel,
  TRANSITIONS,
  type IncidentDetail,
  type PatchIncidentBody,
  type Severity,
} from './types.js';

type Patch = PatchIncidentBody;

export function IncidentDetailView({ id }: { id: string }) {
  const { api, session } = useConsole();
  const route = useRoute();
  const directory = useDirectory();
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [error, setError] = useState<{ message: string; missing: boolean } | null>(null);
  const [notice, setNotice] = useState<{ text: string; failed: boolean } | null>(null);
  const [resolving, setResolving] = useState<'resolved' | 'closed' | null>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const loaded = useRef(false);

  const load = useCallback(() => {
    const mine = ++generation.current;
    must(api.GET('/api/incidents/{id}', { params: { path: { id } } }))
      .then((body) => {
        if (mine !== generation.current) return;
        loaded.current = true;
        setIncident(body);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (mine !== generation.current) return;
        const missing = failure instanceof ApiError && failure.status === 404;
        // A failed refresh keeps what is on screen and says so; a failed first load is the error state.
        if (loaded.current && !missing)
          setNotice({ text: `Could not refresh: ${describe(failure)}`, failed: true });
        else setError({ message: describe(failure), missing });
      });
  }, [api, id]);
  useEffect(load, [load]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  // Coalesces bursts (adding an alert announces the alert and the incident).
  const soon = (): void => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(load, 200);
  };
  const status = useIncidentStream(session, {
    incident: (data) => data.id === id && soon(),
    alert: (data) =>
      (data.incidentId === id || incident?.alerts.some((alert) => alert.id === data.id)) && soon(),
    resync: soon,
  });

  /** Runs an action, says how it went, and reloads; resolves to the error message (null on success). */
  async function run(action: () => Promise<unknown>, done: string, inline = false): Promise<string | null> {
    setBusy(true);
    try {
      await action();
      setNotice({ text: done, failed: false });
      load();
      return null;
    } catch (failure) {
      const message = describe(failure);
      // A form that shows its own error (add an alert, add a note) gets the message instead of the banner.
      setNotice(inline ? null : { text: message, failed: true });
      if (failure instanceof ApiError && failure.status === 409) load(); // someone else changed it meanwhile
      return message;
    } finally {
      setBusy(false);
    }
  }
  const patch = (body: Patch, done: string) =>
    run(() => must(api.PATCH('/api/incidents/{id}', { params: { path: { id } }, body })), done);

  if (error) {
    return (
      <div className="p-2">
        <ErrorState
          message={error.missing ? 'There is no such incident in this tenant.' : error.message}
          {...(error.missing ? {} : { onRetry: load })}
        />
        <p className="px-4 text-sm">
          <Link href="/incidents" className="text-accent underline">
            Back to the incidents
          </Link>
        </p>
      </div>
    );
  }
  if (incident === null) return <Loading what="the incident" />;

  const filterParam = route.query.get('timeline');
  const timelineFilter: TimelineFilter =
    filterParam === 'events' || filterParam === 'activity' ? filterParam : 'all';
  const eventCount = incident.timeline.filter((entry) => entry.type === 'event').length;

  return (
    <article aria-labelledby="incident-title" className="h-full overflow-auto p-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/incidents" className="hover:underline">
          Incidents
        </Link>{' '}
        / #{incident.number}
      </nav>
      <header className="mt-2 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 id="incident-title" className="text-xl font-semibold break-words">
            {incident.title}
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm">
            <SeverityBadge severity={incident.severity} />{' '}
            <span data-testid="incident-status">
              <IncidentStatusBadge status={incident.status} />
            </span>
            <span className="text-muted">
              #{incident.number} · opened {new Date(incident.createdAt).toLocaleString()} · updated{' '}
              {new Date(incident.updatedAt).toLocaleString()}
            </span>
          </p>
        </div>
        <StreamIndicator status={status} />
      </header>

      <div role="group" aria-label="Status workflow" className="mt-4 flex flex-wrap items-center gap-2">
        {TRANSITIONS[incident.status].map((to) => (
          <Button
            key={to}
            variant={to === 'investigating' && incident.status === 'open' ? 'primary' : 'secondary'}
            disabled={busy}
            onClick={() =>
              to === 'resolved' || to === 'closed'
                ? setResolving(to)
                : void patch({ status: to }, `Status: ${to}`)
            }
          >
            {transitionLabel(incident.status, to)}
          </Button>
        ))}
        <Button variant="ghost" onClick={() => setEditing(true)}>
          Edit title and description…
        </Button>
      </div>
      {notice ? (
        <p
          role={notice.failed ? 'alert' : 'status'}
          data-testid="incident-notice"
          className={`mt-3 text-sm ${notice.failed ? 'text-sev-critical' : 'text-muted'}`}
        >
          {notice.text}
        </p>
      ) : null}

      <div className="mt-6 grid grid-cols-1 gap-x-10 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <dl className="grid grid-cols-1 gap-x-8 gap-y-3 text-sm md:grid-cols-2">
            <div className="md:col-span-2">
              <dt className="text-muted">Description</dt>
              <dd className="whitespace-pre-wrap">{incident.description || '—'}</dd>
            </div>
            {incident.resolution ? (
              <div className="md:col-span-2">
                <dt className="text-muted">Resolution</dt>
                <dd className="whitespace-pre-wrap" data-testid="incident-resolution">
                  {incident.resolution}
                </dd>
              </div>
            ) : null}
            {incident.resolvedAt ? (
              <div>
                <dt className="text-muted">Resolved</dt>
                <dd>{new Date(incident.resolvedAt).toLocaleString()}</dd>
              </div>
            ) : null}
            {incident.closedAt ? (
              <div>
                <dt className="text-muted">Closed</dt>
                <dd>{new Date(incident.closedAt).toLocaleString()}</dd>
              </div>
            ) : null}
          </dl>

          <IncidentAlerts
            alerts={incident.alerts}
            alertCount={incident.alertCount}
            onAdd={(alertId) =>
              run(
                () =>
                  must(
                    api.POST('/api/incidents/{id}/alerts', {
                      params: { path: { id } },
                      body: { alertIds: [alertId] },
                    }),
                  ),
                'Alert added',
                true,
              )
            }
            onRemove={async (alert) => {
              await run(
                () =>
                  must(
                    api.DELETE('/api/incidents/{id}/alerts/{alertId}', {
                      params: { path: { id, alertId: alert.id } },
                    }),
                  ),
                `Removed ${alert.title}`,
              );
            }}
          />

          <section aria-labelledby="timeline-title" className="mt-8">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <h2 id="timeline-title" className="text-base font-semibold">
                Timeline
              </h2>
              <select
                aria-label="Show in the timeline"
                className={`${INPUT} w-auto`}
                value={timelineFilter}
                onChange={(e) => {
                  const next = new URLSearchParams(route.query);
                  if (e.target.value === 'all') next.delete('timeline');
                  else next.set('timeline', e.target.value);
                  setQuery(next);
                }}
              >
                <option value="all">Everything ({incident.timeline.length})</option>
                <option value="events">Matched events ({eventCount})</option>
                <option value="activity">Notes and changes ({incident.timeline.length - eventCount})</option>
              </select>
            </div>
            <Timeline incident={incident} filter={timelineFilter} directory={directory} />
          </section>
        </div>

        <aside aria-label="Incident properties" className="min-w-0">
          <Properties incident={incident} directory={directory} busy={busy} patch={patch} />
          <IncidentNotes
            notes={incident.notes}
            directory={directory}
            onAdd={(body) =>
              run(
                () =>
                  must(api.POST('/api/incidents/{id}/notes', { params: { path: { id } }, body: { body } })),
                'Note added',
                true,
              )
            }
          />
        </aside>
      </div>

      <ResolveDialog
        key={`${resolving}-${incident.resolution ?? ''}`}
        incident={incident}
        to={resolving}
        onOpenChange={(open) => !open && setResolving(null)}
        onConfirm={async (resolution) => {
          const to = resolving;
          if (to === null) return;
          setResolving(null);
          await patch(
            { status: to, ...(resolution !== (incident.resolution ?? '') ? { resolution } : {}) },
            `Status: ${to}`,
          );
        }}
      />
      <EditDialog
        key={`${editing}`}
        incident={incident}
        open={editing}
        onOpenChange={setEditing}
        onSave={async (changes) => {
          setEditing(false);
          if (Object.keys(changes).length > 0) await patch(changes, 'Saved');
        }}
      />
    </article>
  );
}

function Properties({
  incident,
  directory,
  busy,
  patch,
}: {
  incident: IncidentDetail;
  directory: Directory;
  busy: boolean;
  patch: (body: Patch, done: string) => Promise<string | null>;
}) {
  return (
    <section aria-labelledby="properties-title" className="rounded border border-line bg-panel p-3">
      <h2 id="properties-title" className="text-base font-semibold">
        Properties
      </h2>
      <div className="mt-3 space-y-3 text-sm">
        <label className="block">
          <span className="mb-1 block text-muted">Severity</span>
          <select
            className={INPUT}
            value={incident.severity}
            disabled={busy}
            onChange={(e) =>
              void patch({ severity: e.target.value as Severity }, `Severity: ${e.target.value}`)
            }
          >
            {SEVERITIES.map((value) => (
              <option key={value} value={value}>
                {value[0]?.toUpperCase()}
                {value.slice(1)}
              </option>
            ))}
          </select>
        </label>
        <AssigneeField
          assignee={incident.assignee}
          directory={directory}
          busy={busy}
          assign={(to, done) => void patch({ assigneeId: to }, done)}
        />
      </div>
    </section>
  );
}
