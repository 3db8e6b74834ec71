// Live incident updates: `incident.updated` (sent to callers with incidents:read) and, when asked for,
// `alert.updated` from the console's event stream (api/live.ts).
import { useLiveStream, type StreamStatus } from '../api/live.js';
import type { Session } from '../auth/session.js';
import type { IncidentItem } from './types.js';

export type { StreamStatus } from '../api/live.js';

export interface IncidentStreamHandlers {
  /** An incident changed (created, status, assignee, alerts, notes, ...). */
  incident(data: { id: string; changed: string[]; incident?: IncidentItem }): void;
  /** An alert changed: its incidentId says which incident it belongs to now. */
  alert?(data: { id: string; incidentId: string | null }): void;
  /** Events may have been missed: reload. */
  resync(): void;
}

export function useIncidentStream(session: Session, handlers: IncidentStreamHandlers): StreamStatus {
  return useLiveStream(session, {
    events: {
      'incident.updated': (data) =>
        handlers.incident(data as { id: string; changed: string[]; incident?: IncidentItem }),
      ...(handlers.alert
        ? {
            'alert.updated': (data: unknown) => {
              const event = data as { id: string; alert?: { incidentId?: string | null } };
              handlers.alert?.({ id: event.id, incidentId: event.alert?.incidentId ?? null });
            },
          }
        : {}),
    },
    resync: () => handlers.resync(),
  });
}

export function StreamIndicator({ status }: { status: StreamStatus }) {
  return (
    <p className="text-xs text-muted" role="status" data-testid="incident-stream-status">
      {status === 'live'
        ? '● Live'
        : status === 'connecting'
          ? 'Connecting…'
          : 'Live updates paused, reconnecting…'}
    </p>
  );
}
