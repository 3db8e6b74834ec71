// The alerts API's request and response schemas (zod): what validates requests and documents responses.
import { z } from 'zod';
import { schemas } from '../http/endpoint.js';

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const ALERT_STATUSES = ['new', 'acknowledged', 'closed'] as const;
export const CLOSE_REASONS = ['true_positive', 'false_positive', 'benign', 'duplicate', 'other'] as const;

export type Severity = (typeof SEVERITIES)[number];
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** A MITRE ATT&CK technique id (`T1059`, or a sub-technique `T1059.004`); matched case-insensitively. */
const technique = z
  .string()
  .regex(/^[Tt]\d{4}(\.\d{3})?$/, 'a MITRE ATT&CK technique id: T1059 or T1059.004')
  .transform((t) => t.toUpperCase());

/** The filters the list and counts share. */
export const alertFilters = {
  from: schemas.timestamp.optional().describe('last seen at or after'),
  to: schemas.timestamp.optional().describe('last seen at or before'),
  severity: schemas.list(z.enum(SEVERITIES), 5).optional(),
  status: schemas.list(z.enum(ALERT_STATUSES), 3).optional(),
  host: z.string().min(1).max(255).optional().describe('host name (case-insensitive, exact)'),
  ruleId: z.string().min(1).max(300).optional(),
  technique: technique.optional().describe('T1059 also matches its sub-techniques (T1059.004)'),
  assigneeId: z.uuid().optional(),
  incidentId: z.uuid().optional(),
};

export const alertListQuery = z.strictObject({
  ...alertFilters,
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});
export const alertCountsQuery = z.strictObject(alertFilters);

/** The filters as the repository takes them. */
export type AlertFilters = Partial<{
  from: string;
  to: string;
  severity: Severity[];
  status: AlertStatus[];
  host: string;
  ruleId: string;
  technique: string;
  assigneeId: string;
  incidentId: string;
}>;

const userRef = z.object({ id: z.uuid(), email: z.string(), displayName: z.string() });

/** What a row of the queue shows. */
export const alertItem = z.object({
  id: z.uuid(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(ALERT_STATUSES),
  rule: z.object({ id: z.string(), name: z.string(), ruleset: z.string() }),
  host: z.object({ name: z.string().nullable(), id: z.string().nullable(), agentId: z.string().nullable() }),
  techniques: z.array(z.string()),
  tactics: z.array(z.string()),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  assignee: userRef.nullable(),
  incidentId: z.uuid().nullable(),
  acknowledgedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closeReason: z.enum(CLOSE_REASONS).nullable(),
  updatedAt: z.string(),
});
export type AlertItem = z.infer<typeof alertItem>;

export const alertList = z.object({ items: z.array(alertItem), nextCursor: z.string().nullable() });

export const alertCounts = z.object({
  total: z.number().int(),
  bySeverity: z.record(z.enum(SEVERITIES), z.number().int()),
  byStatus: z.record(z.enum(ALERT_STATUSES), z.number().int()),
  cells: z.array(
    z.object({ severity: z.enum(SEVERITIES), status: z.enum(ALERT_STATUSES), count: z.number().int() }),
  ),
});
export type AlertCounts = z.infer<typeof alertCounts>;

/** A stored event an alert refers to: its table, envelope, typed columns (`fields`) and whole payload. */
export const matchedEvent = z.object({
  table: z.enum(['events', 'network_events', 'ot_transactions']),
  agentId: z.string(),
  seq: z.number().int(),
  time: z.string(),
  observedTime: z.string(),
  sensor: z.string(),
  hostName: z.string().nullable(),
  hostId: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()),
  data: z.unknown(),
});
export type MatchedEvent = z.infer<typeof matchedEvent>;

export const alertDetail = alertItem.extend({
  description: z.string().nullable(),
  tags: z.array(z.string()),
  dedupeKey: z.string(),
  ruleVersion: z.string().nullable(),
  score: z.number().nullable(),
  groupBy: z.record(z.string(), z.unknown()).nullable(),
  acknowledgedBy: z.uuid().nullable(),
  closedBy: z.uuid().nullable(),
  closeComment: z.string().nullable(),
  createdAt: z.string(),
  /** References the alert holds (at most 100); `events` lists those still stored. */
  eventRefs: z.number().int(),
  events: z.array(matchedEvent),
});
export type AlertDetail = z.infer<typeof alertDetail>;

export const assignBody = z.strictObject({ assigneeId: z.uuid().nullable() });
export const closeBody = z.strictObject({
  reason: z.enum(CLOSE_REASONS),
  comment: z.string().max(4000).optional(),
});

export const BULK_ACTIONS = ['acknowledge', 'close', 'assign'] as const;
export const bulkBody = z
  .strictObject({
    ids: z.array(z.uuid()).min(1).max(500),
    action: z.enum(BULK_ACTIONS),
    reason: z.enum(CLOSE_REASONS).optional(),
    comment: z.string().max(4000).optional(),
    assigneeId: z.uuid().nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.action === 'close' && body.reason === undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'closing needs a reason' });
    if (body.action === 'assign' && body.assigneeId === undefined)
      ctx.addIssue({ code: 'custom', path: ['assigneeId'], message: 'assigning needs assigneeId (or null)' });
    if (body.action !== 'close' && (body.reason !== undefined || body.comment !== undefined))
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'reason and comment are for action close' });
    if (body.action !== 'assign' && body.assigneeId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['assigneeId'], message: 'assigneeId is for action assign' });
  });
export type BulkBody = z.infer<typeof bulkBody>;

export const BULK_OUTCOMES = ['updated', 'not_found', 'conflict'] as const;
export const bulkResult = z.object({
  results: z.array(
    z.object({ id: z.uuid(), outcome: z.enum(BULK_OUTCOMES), status: z.enum(ALERT_STATUSES).optional() }),
  ),
  updated: z.number().int(),
});

/** What happened to a process, in time order: its start, each exec() in place, its exit. */
export const PROCESS_ACTIONS = ['start', 'exec', 'exit'] as const;
export type ProcessAction = (typeof PROCESS_ACTIONS)[number];

/** One process of an alert's process tree, identified by the agent's entity id. */
export const processNode = z.object({
  entityId: z.string(),
  /** null when the agent knew no parent; a parent not in `nodes` makes this a root. */
  parentEntityId: z.string().nullable(),
  pid: z.number().int().nullable(),
  name: z.string().nullable(),
  executable: z.string().nullable(),
  commandLine: z.string().nullable(),
  user: z.string().nullable(),
  /**
   * The time of the process's earliest stored event; for an ancestor whose own events are not stored (no
   * `actions`), its start time as its child's event reports it.
   */
  firstSeen: z.string().nullable(),
  actions: z.array(z.enum(PROCESS_ACTIONS)),
  /** One of the alert's matched events is an event of this process. */
  matched: z.boolean(),
});
export type ProcessNode = z.infer<typeof processNode>;

export const processTree = z.object({
  alertId: z.uuid(),
  /** The agent the tree is on: the alert's, else the agent of its first matched process event. */
  agentId: z.string().nullable(),
  hostName: z.string().nullable(),
  /** Where descendants were looked for (null: no process to look under). */
  window: z.object({ from: z.string(), to: z.string() }).nullable(),
  /** The matched processes, their ancestors and their descendants, by first seen. */
  nodes: z.array(processNode),
  /** Processes were left out: descendants past 500 nodes, or ancestors above the 16 generations walked. */
  truncated: z.boolean(),
  /** Matched process events without an entity id (e.g. the auditd sensor's), which cannot be placed. */
  unlinkedMatches: z.number().int(),
});
export type ProcessTree = z.infer<typeof processTree>;
