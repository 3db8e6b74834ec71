// Threat-intelligence matching on InoSec events: the addresses, domains and hashes of each event looked up in
// the IOC feeds; a hit becomes a detection hit of the feed's pseudo-rule `ioc:<feed>`, so it is aggregated,
// switched off per tenant and stored like any other alert (ruleset `ioc`).
import type { IEvent, IHost } from '@inosec/protos';
import { IocMatcher, loadIocFile, type IocSet, type LoadReport as IocLoadReport } from '../ioc/index.js';
import type { FieldKinds } from '../ioc/ioc-types.js';
import type { AlertRuleInfo } from './alert-builder.js';
import type { SigmaHit } from './detection-types.js';

/** The fields of an event whose values are looked up, by where they sit in the event. */
const EVENT_FIELDS: FieldKinds = {
  'network.source.ip': 'ip',
  'network.destination.ip': 'ip',
  'network.destination.domain': 'domain',
  'auth.source.ip': 'ip',
  'process.process.hash.sha256': 'hash',
  'process.process.hash.sha1': 'hash',
  'process.process.hash.md5': 'hash',
  'file.hash.sha256': 'hash',
  'file.hash.sha1': 'hash',
  'file.hash.md5': 'hash',
};

/** The payloads (Event `payload` oneof names) whose values are looked up: the events IOC matching reads. */
export const IOC_PAYLOADS: ReadonlySet<string> = new Set(['network', 'auth', 'process', 'file']);

/** The key of a feed's pseudo-rule. */
export function iocRuleKey(feed: string): string {
  return `ioc:${feed}`;
}

/** The alert facts of each feed: the alert says which feed matched. */
export function iocRuleInfo(feeds: readonly string[]): AlertRuleInfo[] {
  return feeds.map((feed) => ({
    key: iocRuleKey(feed),
    ruleset: 'ioc',
    title: `Threat intelligence match (${feed})`,
    description: `An address, domain or file hash of the event is an indicator of the ${feed} feed.`,
    level: 'high',
    tags: [],
  }));
}

/** Looks one event's addresses, domains and hashes up in the feeds; appends a hit per feed and field. */
export function matchIocs(
  matcher: IocMatcher,
  agentId: string,
  event: IEvent,
  out: SigmaHit[],
  batchHost?: IHost | null,
): void {
  if (!event.network && !event.auth && !event.process && !event.file) return;
  const hits = matcher.matchEvent(event as Readonly<Record<string, unknown>>, EVENT_FIELDS);
  if (hits.length === 0) return;
  const host = event.host ?? batchHost;
  for (const hit of hits) {
    const result: SigmaHit = {
      ruleId: iocRuleKey(hit.set),
      logsourceKey: 'ioc',
      ref: { agentId, seq: Number(event.seq ?? 0), timeUs: Number(event.timeUnixUs ?? 0) },
      view: { field: hit.field, indicator: hit.indicator, kind: hit.kind, value: hit.value },
    };
    if (host?.hostname) result.hostName = host.hostname;
    if (host?.id) result.hostId = host.id;
    out.push(result);
  }
}

/** The feeds of a collector, loaded: the matcher, each feed's name and its load report. */
export interface LoadedIocFeeds {
  matcher: IocMatcher;
  feeds: Array<{ name: string; file: string; report: IocLoadReport }>;
}

/**
 * Loads feed files (CSV or STIX 2.1 JSON; a feed is named after its file) into one matcher. Throws
 * IocFeedError naming the file when one cannot be read or is not a feed; bad lines are in each report.
 */
export async function loadIocMatcher(files: readonly string[]): Promise<LoadedIocFeeds> {
  const feeds: LoadedIocFeeds['feeds'] = [];
  const sets: IocSet[] = [];
  for (const file of files) {
    const { set, report } = await loadIocFile(file);
    sets.push(set);
    feeds.push({ name: set.name, file, report });
  }
  return { matcher: new IocMatcher(sets), feeds };
}
