// The incidents API's types, from the generated schema (never hand-written), and the status workflow.
import type { paths } from '../api/schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type IncidentPage = Json<paths['/api/incidents']['get']['responses'][200]>;
export type IncidentItem = IncidentPage['items'][number];
export type IncidentDetail = Json<paths['/api/incidents/{id}']['get']['responses'][200]>;
export type IncidentStatus = IncidentItem['status'];
export type Severity = IncidentItem['severity'];
export type TimelineEntry = IncidentDetail['timeline'][number];
export type IncidentAlert = IncidentDetail['alerts'][number];
export type IncidentNote = IncidentDetail['notes'][number];
export type CreateIncidentBody = NonNullable<
  paths['/api/incidents']['post']['requestBody']
>['content']['application/json'];
export type PatchIncidentBody = NonNullable<
  paths['/api/incidents/{id}']['patch']['requestBody']
>['content']['application/json'];

export const INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'open',
  'investigating',
  'contained',
  'resolved',
  'closed',
];

/** The statuses an analyst is still working on (the list's default filter). */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['open', 'investigating', 'contained'];

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

/**
 * Which status may follow which, as the control plane enforces it (INCIDENT_TRANSITIONS in
 * control-plane/src/alerts/incident-schemas.ts; the OpenAPI document lists the statuses, not the
 * transitions). The server stays the judge: a transition it refuses shows its 409 message.
 */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['investigating', 'contained', 'resolved', 'closed'],
  investigating: ['open', 'contained', 'resolved', 'closed'],
  contained: ['investigating', 'resolved', 'closed'],
  resolved: ['investigating', 'closed'],
  closed: ['investigating'],
};

/** The button that moves an incident into a status (a reopened incident goes back to investigating). */
export function transitionLabel(from: IncidentStatus, to: IncidentStatus): string {
  if (to === 'investigating' && (from === 'resolved' || from === 'closed')) return 'Reopen';
  switch (to) {
    case 'open':
      return 'Back to open';
    case 'investigating':
      return 'Start investigating';
    case 'contained':
      return 'Mark contained';
    case 'resolved':
      return 'Resolve…';
    case 'closed':
      return 'Close…';
  }
}

export const STATUS_TONE: Record<IncidentStatus, string> = {
  open: 'text-fg border-line',
  investigating: 'text-accent border-accent/50',
  contained: 'text-sev-medium border-sev-medium/50',
  resolved: 'text-muted border-line',
  closed: 'text-muted border-line',
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
