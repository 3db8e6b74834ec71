import { STATUS_TONE, type IncidentStatus } from './types.js';

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <span className={`inline-block rounded border px-1.5 py-0.5 text-xs ${STATUS_TONE[status]}`}>
      {status}
    </span>
  );
}
