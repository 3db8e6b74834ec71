// Live alert updates: alert.created and alert.updated from the console's event stream (api/live.ts).
import type { Session } from '../auth/session.js';
import { useLiveStream, type StreamStatus } from '../api/live.js';

export type { StreamStatus } from '../api/live.js';

export interface StreamHandlers {
  alert(
    event: 'alert.created' | 'alert.updated',
    data: { id: string; changed: string[]; alert?: unknown },
  ): void;
  resync(): void;
}

type AlertEvent = { id: string; changed: string[]; alert?: unknown };

export function useAlertStream(session: Session, handlers: StreamHandlers): StreamStatus {
  return useLiveStream(session, {
    events: {
      'alert.created': (data) => handlers.alert('alert.created', data as AlertEvent),
      'alert.updated': (data) => handlers.alert('alert.updated', data as AlertEvent),
    },
    resync: () => handlers.resync(),
  });
}
