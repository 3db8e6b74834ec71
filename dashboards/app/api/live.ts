// The console's one Server-Sent Events connection logic (/api/alerts/stream): EventSource cannot send headers,
// so the access token goes in the query (the server redacts it from its logs); a dropped or refused stream
// (an expired token) is closed and reopened with a fresh token after a backoff; a reconnect or the server's
// `resync` event tells the caller to reload (what happened meanwhile may be missing); `session_ended` ends the
// console's session.
import { useEffect, useRef, useState } from 'react';
import type { Session } from '../auth/session.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  /** Parsed data of each named event the caller wants. */
  events: Record<string, (data: unknown) => void>;
  /** Events may have been missed: reload. */
  resync(): void;
}

export function useLiveStream(session: Session, handlers: LiveHandlers): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const latest = useRef(handlers);
  latest.current = handlers;
  const names = Object.keys(handlers.events).sort().join(',');

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
      for (const name of names.split(',').filter(Boolean)) {
        source.addEventListener(name, (message: MessageEvent<string>) => {
          try {
            latest.current.events[name]?.(JSON.parse(message.data) as unknown);
          } catch {
            latest.current.resync();
          }
        });
      }
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
  }, [session, names]);

  return status;
}
