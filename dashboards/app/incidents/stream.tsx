// Live incident updates over the console's Server-Sent Events stream (/api/alerts/stream carries
// `incident.updated` to callers with incidents:read). EventSource sends no headers, so the access token goes
// in the query (the server redacts it from its logs). A dropped stream reconnects with backoff and a fresh
// token, and the caller reloads (what happened meanwhile may be missing).
import { useEffect, useRef, useState } from 'react';
import type { Session } from '../auth/session.js';
import type { IncidentItem } from './types.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface IncidentStreamHandlers {
  /** An incident changed (created, status, assignee, alerts, notes, ...). */
  incident(data: { id: string; changed: string[]; incident?: IncidentItem }): void;
  /** An alert changed: its incidentId says which incident it belongs to now. */
  alert?(data: { id: string; incidentId: string | null }): void;
  /** Events may have been missed: reload. */
  resync(): void;
}

export function useIncidentStream(session: Session, handlers: IncidentStreamHandlers): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    let source: EventSource | undefined;
    let retryMs = 1_000;
    let timer: number | undefined;
    let stopped = false;
    let opened = false;

    const connect = (): void => {
      const token = session.accessToken();
      if (token === undefined || stopped) return;
      source = new EventSource(`/api/alerts/stream?access_token=${encodeURIComponent(token)}`);
      source.onopen = () => {
        retryMs = 1_000;
        setStatus('live');
        if (opened) latest.current.resync();
        opened = true;
      };
      source.addEventListener('incident.updated', (message: MessageEvent<string>) => {
        try {
          const data = JSON.parse(message.data) as { id: string; changed: string[]; incident?: IncidentItem };
          latest.current.incident(data);
        } catch {
          latest.current.resync();
        }
      });
      source.addEventListener('alert.updated', (message: MessageEvent<string>) => {
        if (!latest.current.alert) return;
        try {
          const data = JSON.parse(message.data) as { id: string; alert?: { incidentId?: string | null } };
          latest.current.alert({ id: data.id, incidentId: data.alert?.incidentId ?? null });
        } catch {
          latest.current.resync();
        }
      });
      source.addEventListener('resync', () => latest.current.resync());
      source.addEventListener('session_ended', () => {
        source?.close();
        session.expire('Your session has ended. Sign in again to continue where you were.');
      });
      source.onerror = () => {
        setStatus('reconnecting');
        source?.close();
        window.clearTimeout(timer);
        timer = window.setTimeout(() => {
          void session.refresh().then(() => connect());
        }, retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
      };
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      source?.close();
    };
  }, [session]);

  return status;
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
