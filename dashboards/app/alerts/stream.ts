// Live alert updates over Server-Sent Events. EventSource cannot send headers, so the access token goes in
// the query (the server redacts it from its logs). A dropped stream reconnects with backoff and a fresh
// token; the server answers `resync` when it cannot replay what was missed, and the caller reloads.
import { useEffect, useRef, useState } from 'react';
import type { Session } from '../auth/session.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  alert(
    event: 'alert.created' | 'alert.updated',
    data: { id: string; changed: string[]; alert?: unknown },
  ): void;
  resync(): void;
}

export function useAlertStream(session: Session, handlers: StreamHandlers): StreamStatus {
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
        // Reconnected after a drop: what happened meanwhile may be missing.
        if (opened) latest.current.resync();
        opened = true;
      };
      const onAlert = (name: 'alert.created' | 'alert.updated') => (message: MessageEvent<string>) => {
        try {
          latest.current.alert(
            name,
            JSON.parse(message.data) as { id: string; changed: string[]; alert?: unknown },
          );
        } catch {
          latest.current.resync();
        }
      };
      source.addEventListener('alert.created', onAlert('alert.created'));
      source.addEventListener('alert.updated', onAlert('alert.updated'));
      source.addEventListener('resync', () => latest.current.resync());
      source.addEventListener('session_ended', () => {
        source?.close();
        session.expire('Your session has ended. Sign in again to continue where you were.');
      });
      source.onerror = () => {
        setStatus('reconnecting');
        // The browser retries a dropped connection itself, but not a refused one (an expired token): close
        // and reconnect with a fresh token after a backoff.
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
