// An incident's timeline as the API returns it, oldest first: what the analysts did (created, status and
// assignee changes, alerts added or removed, notes) interleaved with the underlying matched events of its
// alerts, each with its raw event on demand.
import { Link } from '../shell/Shell.js';
import type { Directory } from '../api/directory.js';
import type { IncidentDetail, TimelineEntry } from './types.js';

export type TimelineFilter = 'all' | 'events' | 'activity';

type Activity = Extract<TimelineEntry, { type: 'activity' }>['activity'];
type MatchedEvent = Extract<TimelineEntry, { type: 'event' }>['event'];

export function Timeline({
  incident,
  filter,
  directory,
}: {
  incident: IncidentDetail;
  filter: TimelineFilter;
  directory: Directory;
}) {
  const entries = incident.timeline.filter(
    (entry) => filter === 'all' || (filter === 'events' ? entry.type === 'event' : entry.type === 'activity'),
  );
  if (entries.length === 0) {
    return (
      <p className="mt-2 text-sm text-muted">
        {filter === 'events'
          ? 'No matched events: add alerts, or their events are no longer stored (retention).'
          : 'Nothing here yet.'}
      </p>
    );
  }
  const alertTitle = new Map(incident.alerts.map((alert) => [alert.id, alert.title]));
  return (
    <ol className="mt-3 space-y-0 border-l border-line" aria-label="Timeline entries" data-testid="timeline">
      {entries.map((entry) => (
        <li
          key={
            entry.type === 'event' ? `e:${entry.event.agentId}:${entry.event.seq}` : `a:${entry.activity.id}`
          }
          data-testid="timeline-entry"
          data-type={entry.type}
          className="relative pb-3 pl-4 text-sm"
        >
          <span
            aria-hidden="true"
            className={`absolute top-1.5 -left-[5px] h-2.5 w-2.5 rounded-full ${entry.type === 'event' ? 'bg-sev-high' : 'bg-accent'}`}
          />
          <p className="text-xs text-muted">
            <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
            {' · '}
            {entry.type === 'event' ? 'matched event' : 'activity'}
          </p>
          {entry.type === 'event' ? (
            <EventEntry
              event={entry.event}
              alertId={entry.alertId}
              alertTitle={entry.alertId ? alertTitle.get(entry.alertId) : undefined}
            />
          ) : (
            <ActivityEntry activity={entry.activity} incident={incident} directory={directory} />
          )}
        </li>
      ))}
    </ol>
  );
}

function EventEntry({
  event,
  alertId,
  alertTitle,
}: {
  event: MatchedEvent;
  alertId: string | null;
  alertTitle: string | undefined;
}) {
  return (
    <div>
      <p>
        <span className="font-medium">{event.sensor}</span> on {event.hostName ?? 'an unknown host'}
        {alertId ? (
          <>
            {' '}
            for{' '}
            <Link href={`/alerts/${alertId}`} className="text-accent hover:underline">
              {alertTitle ?? `alert ${alertId.slice(0, 8)}`}
            </Link>
          </>
        ) : null}
      </p>
      <p className="mt-0.5 font-mono text-xs break-all" data-testid="event-summary">
        {summary(event.fields)}
      </p>
      <details className="mt-1">
        <summary className="cursor-pointer text-xs text-muted hover:text-fg">Raw event</summary>
        <pre
          tabIndex={0}
          aria-label="Raw event (JSON)"
          className="mt-1 max-h-80 overflow-auto rounded border border-line bg-surface p-2 font-mono text-xs"
        >
          {JSON.stringify(event, null, 2)}
        </pre>
      </details>
    </div>
  );
}

function ActivityEntry({
  activity,
  incident,
  directory,
}: {
  activity: Activity;
  incident: IncidentDetail;
  directory: Directory;
}) {
  const who = directory.name(activity.actorId);
  const details = activity.details;
  const text = (key: string): string => {
    const value = details[key];
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '—';
  };
  const person = (key: string): string => {
    const value = details[key];
    return typeof value === 'string' ? directory.name(value) : 'nobody';
  };
  const alertLink = (id: string) => (
    <Link key={id} href={`/alerts/${id}`} className="text-accent hover:underline">
      {incident.alerts.find((alert) => alert.id === id)?.title ?? `alert ${id.slice(0, 8)}`}
    </Link>
  );
  let body;
  switch (activity.kind) {
    case 'created':
      body = <>created the incident (severity {text('severity')})</>;
      break;
    case 'status_changed':
      body = (
        <>
          changed the status from <strong>{text('from')}</strong> to <strong>{text('to')}</strong>
        </>
      );
      break;
    case 'assignee_changed':
      body = details['to'] ? <>assigned it to {person('to')}</> : <>unassigned it</>;
      break;
    case 'severity_changed':
      body = (
        <>
          changed the severity from {text('from')} to {text('to')}
        </>
      );
      break;
    case 'title_changed':
      body = (
        <>
          renamed it from “{text('from')}” to “{text('to')}”
        </>
      );
      break;
    case 'description_changed':
      body = <>edited the description</>;
      break;
    case 'resolution_changed':
      body = <>updated the resolution</>;
      break;
    case 'alert_added': {
      const ids = Array.isArray(details['alertIds'])
        ? details['alertIds'].filter((id): id is string => typeof id === 'string')
        : [];
      body = (
        <>
          added {ids.length === 1 ? 'alert' : `${ids.length} alerts`}{' '}
          {ids.slice(0, 5).flatMap((id, index) => (index === 0 ? [alertLink(id)] : [', ', alertLink(id)]))}
          {ids.length > 5 ? ` and ${ids.length - 5} more` : ''}
        </>
      );
      break;
    }
    case 'alert_removed':
      body = <>removed {alertLink(text('alertId'))}</>;
      break;
    case 'note_added': {
      const note = incident.notes.find((n) => n.id === details['noteId']);
      body = (
        <>
          added a note
          {note ? (
            <span className="mt-1 block rounded border border-line bg-panel p-2 whitespace-pre-wrap">
              {note.body}
            </span>
          ) : null}
        </>
      );
      break;
    }
    default:
      body = <>{activity.kind.replace(/_/g, ' ')}</>;
  }
  return (
    <p>
      <span className="font-medium">{who === 'you' ? 'You' : who}</span> {body}
    </p>
  );
}

/** The fields an analyst reads first, in one line. */
export function summary(fields: Record<string, unknown>): string {
  const keys = [
    'processCommandLine',
    'processExecutable',
    'userName',
    'sourceIp',
    'destinationIp',
    'destinationPort',
    'filePath',
    'dnsQuery',
    'message',
  ];
  const picked = keys
    .filter((key) => fields[key] !== undefined && fields[key] !== null)
    .map((key) => `${key}=${String(fields[key])}`);
  const text = picked.length ? picked.join(' ') : JSON.stringify(fields);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
