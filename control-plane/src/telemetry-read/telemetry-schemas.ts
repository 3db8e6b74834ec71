// The telemetry read API's request and response schemas (zod): network graph and peers, assets, hunt.
import { z } from 'zod';
import { schemas } from '../http/endpoint.js';

/** The time range every telemetry read takes; defaults and the 31-day bound are applied by resolveRange. */
const range = {
  from: schemas.timestamp.optional().describe('start of the range (default: 24 hours before `to`)'),
  to: schemas.timestamp.optional().describe('end of the range (default: now); at most 31 days after `from`'),
};

export const graphQuery = z.strictObject({
  ...range,
  host: z.string().min(1).max(255).optional().describe('host name: keeps the edges touching that host'),
  limit: schemas.limit(50000, 20000).describe('at most this many edges, heaviest first'),
});

export const peersQuery = z.strictObject({
  ...range,
  limit: schemas.limit(5000, 500),
});

export const ASSET_KINDS = ['host', 'ot_device'] as const;

export const assetsQuery = z.strictObject({
  q: z.string().min(1).max(255).optional().describe('matches the name or an address (case-insensitive)'),
  kind: z.enum(ASSET_KINDS).optional(),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});

export const HUNT_TABLES = ['events', 'network_events', 'ot_transactions'] as const;
export const HUNT_OPS = ['eq', 'neq', 'contains', 'startswith', 'gt', 'lt', 'exists'] as const;
export type HuntTable = (typeof HUNT_TABLES)[number];
export type HuntOp = (typeof HUNT_OPS)[number];

const condition = z.strictObject({
  field: z.string().min(1).max(100),
  op: z.enum(HUNT_OPS),
  value: z.union([z.string().max(1000), z.number()]).optional(),
});
export type HuntCondition = z.infer<typeof condition>;

const whereParam = z
  .string()
  .max(16384)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: a JSON array of { field, op, value? }' });
      return z.NEVER;
    }
  })
  .pipe(z.array(condition).max(10));

export const huntQuery = z.strictObject({
  table: z.enum(HUNT_TABLES).default('events'),
  ...range,
  host: z.string().min(1).max(255).optional().describe('host name (case-insensitive, exact)'),
  where: whereParam
    .optional()
    .describe('JSON array of at most 10 conditions { field, op, value? }, all of which must hold'),
  limit: schemas.limit(1000, 100),
  cursor: schemas.cursor.optional(),
});

const node = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(['host', 'internal', 'external']),
  hostName: z.string().nullable(),
  agentId: z.string().nullable(),
  ips: z.array(z.string()),
  bytes: z.number(),
  connections: z.number(),
  openAlerts: z.number(),
});
const edge = z.object({
  source: z.string(),
  target: z.string(),
  bytes: z.number(),
  count: z.number(),
  protocols: z.array(z.string()),
  ports: z.array(z.number()),
});
export const networkGraph = z.object({
  from: z.string(),
  to: z.string(),
  truncated: z.boolean(),
  nodes: z.array(node),
  edges: z.array(edge),
});
export type GraphNode = z.infer<typeof node>;
export type GraphEdge = z.infer<typeof edge>;
export type NetworkGraph = z.infer<typeof networkGraph>;

const peer = z.object({
  ip: z.string(),
  country: z.string().nullable(),
  countryNumeric: z.string().nullable(),
  countryName: z.string().nullable(),
  bytes: z.number(),
  count: z.number(),
  hosts: z.array(z.string()),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export const networkPeers = z.object({ from: z.string(), to: z.string(), peers: z.array(peer) });
export type Peer = z.infer<typeof peer>;
export type NetworkPeers = z.infer<typeof networkPeers>;

const asset = z.object({
  id: z.string(),
  kind: z.enum(ASSET_KINDS),
  name: z.string(),
  agentId: z.string().nullable(),
  os: z.string().nullable(),
  agentVersion: z.string().nullable(),
  ips: z.array(z.string()),
  lastSeen: z.string().nullable(),
  status: z.enum(['online', 'offline', 'revoked', 'seen']),
  openAlerts: z.number(),
  protocols: z.array(z.string()),
});
export const assetList = z.object({ items: z.array(asset), nextCursor: z.string().nullable() });
export type Asset = z.infer<typeof asset>;

const huntRow = z.object({
  table: z.enum(HUNT_TABLES),
  agentId: z.string(),
  seq: z.number(),
  time: z.string(),
  hostName: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()),
});
export const huntResult = z.object({
  items: z.array(huntRow),
  nextCursor: z.string().nullable(),
  fields: z.array(z.string()),
});
export type HuntRow = z.infer<typeof huntRow>;
export type HuntResult = z.infer<typeof huntResult>;

export const sigmaHuntBody = z.strictObject({
  rule: z.string().min(1).max(65536).describe('one Sigma detection rule (YAML), at most 64 KiB'),
  ...range,
  host: z.string().min(1).max(255).optional().describe('host name (case-insensitive, exact)'),
  limit: z.number().int().min(1).max(1000).default(100).describe('at most this many matches'),
});

export const sigmaHuntResult = z.object({
  matches: z.array(huntRow),
  scanned: z.number(),
  truncated: z.boolean(),
  rule: z.object({ title: z.string(), id: z.string().nullable() }),
});
export type SigmaHuntResult = z.infer<typeof sigmaHuntResult>;
