// The hunt's API (GET /api/hunt/events, POST /api/hunt/sigma) and its state in the URL query: table, time
// range (a preset, or a custom from/to), host and up to 10 field conditions, so a hunt can be shared as a link
// and survives a reload.
import { must, type Api } from '../api/client.js';
import type { paths } from '../api/schema.js';

export const TABLES = ['events', 'network_events', 'ot_transactions'] as const;
export type HuntTable = (typeof TABLES)[number];
export const TABLE_LABEL: Record<HuntTable, string> = {
  events: 'Process, file and auth events',
  network_events: 'Network events',
  ot_transactions: 'OT transactions',
};

export const OPERATORS = ['eq', 'neq', 'contains', 'startswith', 'gt', 'lt', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];
export const OPERATOR_LABEL: Record<Operator, string> = {
  eq: 'equals',
  neq: 'does not equal',
  contains: 'contains',
  startswith: 'starts with',
  gt: 'greater than',
  lt: 'less than',
  exists: 'exists',
};

export const MAX_CONDITIONS = 10;

export interface Condition {
  field: string;
  op: Operator;
  value?: string;
}

export type HuntPage = paths['/api/hunt/events']['get']['responses'][200]['content']['application/json'];
export type HuntRow = HuntPage['items'][number];

export type SigmaRequest = paths['/api/hunt/sigma']['post']['requestBody']['content']['application/json'];
export type SigmaResult = paths['/api/hunt/sigma']['post']['responses'][200]['content']['application/json'];

/** The presets of the time range (the API allows at most 31 days). */
export const PRESETS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '31d': 31 * 86_400_000,
} as const;
export const PRESET_LABEL: Record<keyof typeof PRESETS | 'custom', string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '31d': 'Last 31 days',
  custom: 'Custom range',
};
export type RangeKey = keyof typeof PRESETS | 'custom';

export interface TimeRange {
  range: RangeKey;
  /** ISO-8601, for a custom range. */
  from: string;
  to: string;
}

export interface HuntState extends TimeRange {
  table: HuntTable;
  host: string;
  where: Condition[];
}

/** The conditions of a `where` parameter; anything that is not a list of conditions reads as none. */
export function parseWhere(raw: string | null): Condition[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.slice(0, MAX_CONDITIONS).flatMap((item: unknown) => {
      if (typeof item !== 'object' || item === null) return [];
      const { field, op, value: operand } = item as Record<string, unknown>;
      if (typeof field !== 'string') return [];
      return [
        {
          field,
          // An operator the console does not know is kept: the API names it in its 422.
          op: (typeof op === 'string' ? op : 'eq') as Operator,
          ...(operand === undefined || operand === null
            ? {}
            : { value: typeof operand === 'string' ? operand : JSON.stringify(operand) }),
        },
      ];
    });
  } catch {
    return [];
  }
}

export function readRange(query: URLSearchParams): TimeRange {
  const range = query.get('range') ?? '24h';
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  if (range === 'custom' || (query.get('range') === null && from)) return { range: 'custom', from, to };
  return { range: range in PRESETS ? (range as RangeKey) : '24h', from: '', to: '' };
}

export function writeRange(query: URLSearchParams, range: TimeRange): void {
  if (range.range === 'custom') {
    query.set('range', 'custom');
    if (range.from) query.set('from', range.from);
    if (range.to) query.set('to', range.to);
  } else if (range.range !== '24h') query.set('range', range.range);
}

export function readHunt(query: URLSearchParams): HuntState {
  const table = query.get('table') ?? 'events';
  return {
    table: (TABLES as readonly string[]).includes(table) ? (table as HuntTable) : 'events',
    host: query.get('host') ?? '',
    where: parseWhere(query.get('where')),
    ...readRange(query),
  };
}

export function writeHunt(state: HuntState): URLSearchParams {
  const query = new URLSearchParams();
  query.set('table', state.table);
  writeRange(query, state);
  if (state.host) query.set('host', state.host);
  if (state.where.length) query.set('where', JSON.stringify(state.where.map(clean)));
  return query;
}

/** A condition as the API takes it: no value for `exists`. */
export function clean(condition: Condition): Condition {
  return condition.op === 'exists' || condition.value === undefined
    ? { field: condition.field, op: condition.op }
    : { field: condition.field, op: condition.op, value: condition.value };
}

/** The API's from/to of a range, computed now for a preset. */
export function rangeBounds(range: TimeRange): { from?: string; to?: string } {
  if (range.range === 'custom') {
    return { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) };
  }
  const now = Date.now();
  return { from: new Date(now - PRESETS[range.range]).toISOString(), to: new Date(now).toISOString() };
}

export function huntEvents(
  api: Api,
  state: HuntState,
  options: { limit: number; cursor?: string },
): Promise<HuntPage> {
  return must(
    api.GET('/api/hunt/events', {
      params: {
        query: {
          table: state.table,
          limit: options.limit,
          ...rangeBounds(state),
          ...(state.host ? { host: state.host } : {}),
          ...(state.where.length ? { where: JSON.stringify(state.where.map(clean)) } : {}),
          ...(options.cursor ? { cursor: options.cursor } : {}),
        },
      },
    }),
  );
}

export function huntSigma(api: Api, body: SigmaRequest): Promise<SigmaResult> {
  return must(api.POST('/api/hunt/sigma', { body }));
}

/** A field-naming message of the API's 422, placed on the condition it names (by index or by field name). */
export function conditionErrors(
  problem: { detail?: string; errors?: Array<{ path: string; message: string }> },
  where: Condition[],
): { byIndex: Map<number, string>; rest: string[] } {
  const byIndex = new Map<number, string>();
  const rest: string[] = [];
  const messages = problem.errors?.length
    ? problem.errors.map((e) => ({ path: e.path, message: e.message }))
    : [{ path: '', message: problem.detail ?? '' }];
  for (const { path, message } of messages) {
    const indexed = /where\D{0,3}(\d+)/.exec(path) ?? /where\[(\d+)\]/.exec(message);
    let at = indexed?.[1] !== undefined ? Number(indexed[1]) : -1;
    if (at < 0 || at >= where.length) {
      const text = `${path} ${message}`;
      at = where.findIndex(
        (c) => c.field !== '' && new RegExp(`(^|[^\\w])${escape(c.field)}([^\\w]|$)`).test(text),
      );
    }
    if (at >= 0) byIndex.set(at, byIndex.has(at) ? `${byIndex.get(at)}; ${message}` : message);
    else if (message) rest.push(path && !message.startsWith(path) ? `${path}: ${message}` : message);
  }
  return { byIndex, rest };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The default columns of a table's results, before the fields of the conditions. */
export const DEFAULT_COLUMNS: Record<HuntTable, string[]> = {
  events: ['kind', 'action', 'processName', 'processCommandLine'],
  network_events: ['kind', 'transport', 'sourceIp', 'destinationIp', 'destinationPort'],
  ot_transactions: ['protocol', 'functionName', 'sourceIp', 'destinationIp', 'result'],
};
