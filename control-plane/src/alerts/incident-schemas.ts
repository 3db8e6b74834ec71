// The incidents API's request and response schemas.
import { z } from 'zod';
import { schemas } from '../http/endpoint.js';
import { alertItem, matchedEvent, SEVERITIES } from './alert-schemas.js';

export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Which status may follow which (a reopened incident goes back to investigating). */
export const INCIDENT_TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['investigating', 'contained', 'resolved', 'closed'],
  investigating: ['open', 'contained', 'resolved', 'closed'],
  contained: ['investigating', 'resolved', 'closed'],
  resolved: ['investigating', 'closed'],
  closed: ['investigating'],
};

/** Most alerts one request adds to an incident. */
export const MAX_ALERTS_PER_REQUEST = 200;

const userRef = z.object({ id: z.uuid(), email: z.string(), displayName: z.string() });

export const incident = z.object({
  id: z.uuid(),
  number: z.number().int(),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  assignee: userRef.nullable(),
  createdBy: z.uuid().nullable(),
  resolution: z.string().nullable(),
  alertCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});
export type Incident = z.infer<typeof incident>;

export const incidentNote = z.object({
  id: z.uuid(),
  authorId: z.uuid().nullable(),
  body: z.string(),
  createdAt: z.string(),
});
export type IncidentNote = z.infer<typeof incidentNote>;

export const incidentActivity = z.object({
  id: z.uuid(),
  kind: z.string(),
  actorId: z.uuid().nullable(),
  details: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type IncidentActivity = z.infer<typeof incidentActivity>;

export const timelineEntry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('activity'), at: z.string(), activity: incidentActivity }),
  z.object({
    type: z.literal('event'),
    at: z.string(),
    alertId: z.uuid().nullable(),
    event: matchedEvent,
  }),
]);
export type TimelineEntry = z.infer<typeof timelineEntry>;

export const incidentDetail = incident.extend({
  alerts: z.array(alertItem),
  notes: z.array(incidentNote),
  activity: z.array(incidentActivity),
  /** Activity and the alerts' stored events (at most 1,000), oldest first. */
  timeline: z.array(timelineEntry),
});
export type IncidentDetail = z.infer<typeof incidentDetail>;

export const incidentListQuery = z.strictObject({
  status: schemas.list(z.enum(INCIDENT_STATUSES), 5).optional(),
  severity: schemas.list(z.enum(SEVERITIES), 5).optional(),
  assigneeId: z.uuid().optional(),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;

const alertIds = z.array(z.uuid()).min(1).max(MAX_ALERTS_PER_REQUEST);

export const createIncidentBody = z.strictObject({
  title: z.string().trim().min(1).max(300),
  severity: z.enum(SEVERITIES).optional(),
  description: z.string().max(20000).optional(),
  alertIds: alertIds.optional(),
});
export type CreateIncidentBody = z.infer<typeof createIncidentBody>;

export const patchIncidentBody = z
  .strictObject({
    title: z.string().trim().min(1).max(300).optional(),
    description: z.string().max(20000).optional(),
    severity: z.enum(SEVERITIES).optional(),
    status: z.enum(INCIDENT_STATUSES).optional(),
    assigneeId: z.uuid().nullable().optional(),
    resolution: z.string().max(10000).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'change at least one field' });
export type PatchIncidentBody = z.infer<typeof patchIncidentBody>;

export const addAlertsBody = z.strictObject({ alertIds });
export const noteBody = z.strictObject({ body: z.string().trim().min(1).max(10000) });
