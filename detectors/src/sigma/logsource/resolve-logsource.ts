// Resolving a rule's `logsource` to the InoSec log-source key its events are published under, and the check
// that every field a rule uses is one the log source's InoSec events carry.
import { LOGSOURCE_TABLE, type LogSourceEntry } from './logsource-table.js';
import { UNSUPPORTED_REASONS, type UnsupportedReason } from './unsupported-reasons.js';

/** A rule's `logsource` block (the keys this mapping uses). */
export interface LogSourceQuery {
  product?: string;
  category?: string;
  service?: string;
}

/** A log source InoSec feeds: its key and the event kinds behind it. */
export interface ResolvedLogSource {
  key: string;
  kinds: readonly string[];
}

/** A log source InoSec cannot feed: a documented reason code and a sentence saying why. */
export interface UnsupportedLogSource {
  unsupported: UnsupportedReason;
  detail: string;
}

const BY_KEY: ReadonlyMap<string, LogSourceEntry> = new Map(
  LOGSOURCE_TABLE.map((entry) => [entry.key, entry]),
);

/** Products whose logs need a collector InoSec could run but does not have yet. */
const LOG_COLLECTOR_PRODUCTS = new Set(['apache', 'nginx', 'iis', 'squid']);

/** The table key of a log source: `${product ?? '*'}/${category ?? service ?? '*'}`, lower case. */
export function logSourceKey(logsource: LogSourceQuery): string {
  const product = logsource.product?.trim().toLowerCase() || '*';
  const rest = logsource.category?.trim() || logsource.service?.trim() || '*';
  return `${product}/${rest.toLowerCase()}`;
}

/** The table entry of a key, if InoSec knows the log source. */
export function logSourceEntry(key: string): LogSourceEntry | undefined {
  return BY_KEY.get(key);
}

/**
 * Resolves a rule's log source: its key and the InoSec event kinds that feed it, or the documented reason it
 * cannot be fed (a product InoSec does not collect, a collector or sensor not built yet, an unknown source).
 */
export function resolveLogSource(logsource: LogSourceQuery): ResolvedLogSource | UnsupportedLogSource {
  const key = logSourceKey(logsource);
  const entry = BY_KEY.get(key);
  if (entry) {
    if (entry.unsupported) return unsupported(entry.unsupported, `${key}: ${entry.note}`);
    return { key, kinds: entry.kinds };
  }
  const product = key.slice(0, key.indexOf('/'));
  if (product === 'zeek')
    return unsupported('needs_network_sensor', `${key}: Zeek logs need the network DPI sensor`);
  if (LOG_COLLECTOR_PRODUCTS.has(product)) {
    return unsupported('needs_log_collector', `${key}: no collector for ${product} logs yet`);
  }
  if (product !== '*' && product !== 'linux') {
    return unsupported('product_not_collected', `${key}: InoSec agents do not collect ${product} logs`);
  }
  return unsupported('unknown_logsource', `${key}: not in the InoSec log-source table`);
}

function unsupported(reason: UnsupportedReason, detail: string): UnsupportedLogSource {
  return { unsupported: reason, detail: detail || UNSUPPORTED_REASONS[reason] };
}

/** True when resolveLogSource found a fed log source. */
export function isResolved(result: ResolvedLogSource | UnsupportedLogSource): result is ResolvedLogSource {
  return 'key' in result;
}

/**
 * The fields of `fields` that the log source's InoSec events never carry (its table marks them unmapped or does
 * not list them). A rule using any of them is unsupported (`unmapped_field`) and the engine reports their names.
 * Field names are compared as written (Sigma field names are case-sensitive). An unknown key: every field.
 */
export function unmappedFields(logsourceKey: string, fields: readonly string[]): string[] {
  const entry = BY_KEY.get(logsourceKey);
  if (!entry || entry.unsupported) return [...fields];
  if (entry.passThrough) return [];
  return fields.filter((field) => !Object.hasOwn(entry.fields, field) || entry.fields[field] === null);
}
