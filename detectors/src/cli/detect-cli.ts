// `inosec-detect`: runs Sigma rules over a file of events, or checks a rule directory, and prints JSON lines.
//   inosec-detect --rules DIR [--rules DIR ...] --events FILE.jsonl   one line per match and per correlation
//                                                                      alert, then a summary
//   inosec-detect --rules DIR --check                                  the load report, then a summary
// Events may be InoSec's normalised events (proto3 JSON of inosec.v1.Event: their Sigma views are matched
// against the rules of each view's log source, as the collector matches them), Windows event records in evtx
// JSON form (`Event.System`, `Event.EventData`), or raw JSON log records with the field names the rules use
// (matched against every rule). Matches feed the rules' correlations (Sigma correlation rules in the same
// directories), whose alerts are printed as they fire (`{"correlation_id", "title", "group_by", "count",
// "first_seen", "last_seen", "event_indexes", ...}`); records need a time for that (InoSec events carry one,
// raw and evtx records are read by record-time.ts), and matches of untimed records are only counted.
// `--check` prints the rules InoSec's events cannot feed (`unsupported`, with the reason: an unfed log source,
// a field the events never carry, or an engine limit; `record_reason` is null when raw/evtx records still use
// the rule) and the rules that are wrong (`error`). The last line is always
// `{"loaded": N, "unsupported": N, "errors": N, "matches": N, "correlations": N, ...}`: loaded/unsupported are
// InoSec's view (what the collector runs on its events), `compiled` the rules raw/evtx records are matched
// against, `correlation_rules` the correlations that compiled, `correlations` the correlation alerts raised.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Event, type IEvent } from '@inosec/protos';
import type { DetectionAlert, SigmaHit } from '../detection/detection-types.js';
import { AlertBuilder, alertRuleInfo } from '../detection/alert-builder.js';
import { matchEvent, ruleKey } from '../detection/event-matcher.js';
import { loadInosecRuleSet } from '../detection/inosec-rule-set.js';
import {
  flattenEvtxRecord,
  loadRuleSet,
  type CompiledRule,
  type LoadedRuleSet,
  type RuleLoadError,
  type UnsupportedRule,
} from '../sigma/engine/index.js';
import type { SigmaCorrelationDocument } from '../sigma/loader/index.js';
import { SigmaUnsupportedError, type SigmaEvent } from '../sigma/sigma-types.js';
import { recordTimeUs } from './record-time.js';

/** Where the CLI writes: one JSON document per line on each stream. */
export interface DetectIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export const USAGE = 'usage: inosec-detect --rules DIR [--rules DIR ...] (--events FILE.jsonl | --check)';

/** The tenant and agent the CLI's matches are attributed to (correlation state is the run's own). */
const CLI_TENANT = 'cli';
const CLI_AGENT = 'cli';

const PAYLOADS = ['process', 'network', 'file', 'auth', 'log', 'metric', 'ot', 'inventory'];

/**
 * The two rule sets of a run. Raw and evtx records carry the rules' own field names, so every rule that
 * compiles applies to them (`records`, plain loadRuleSet). InoSec events reach only the rules whose log source
 * and fields InoSec feeds (`inosec`, loadInosecRuleSet: exactly what the collector loads), and that set's
 * report is the one `--check` prints. The directories are loaded twice rather than one set being filtered
 * after the fact: each set is then built by the loader its consumer uses, so the CLI cannot drift from the
 * collector if the mapping's compile options ever change; the cost is one more parse and compile per run.
 */
interface RuleSets {
  records: LoadedRuleSet;
  inosec: LoadedRuleSet;
  correlations: readonly SigmaCorrelationDocument[];
  builder: AlertBuilder;
  /** InoSec's unsupported rules (and correlations), each with why raw/evtx records cannot use it (or null). */
  unsupported: CheckedUnsupported[];
  /** Rules and files that are wrong, from either load (the same loader error once), and correlation errors. */
  errors: RuleLoadError[];
}

/** An unsupported rule as the CLI reports it: `record_reason` is null when raw/evtx records still use it. */
type CheckedUnsupported = UnsupportedRule & { record_reason: string | null };

const ruleIdentity = (file: string | undefined, id: string | undefined, title: string | undefined) =>
  `${file ?? ''}\0${id ?? ''}\0${title ?? ''}`;

/** Why the records set left a rule out: its unsupported reason, 'error', or null when it compiled. */
function recordReason(records: LoadedRuleSet, rule: UnsupportedRule): string | null {
  const key = ruleIdentity(rule.file, rule.id, rule.title);
  const unsupported = records.report.unsupported.find((u) => ruleIdentity(u.file, u.id, u.title) === key);
  if (unsupported) return unsupported.reason;
  const compiled = records.ruleSet.rules.some(
    (r) => ruleIdentity(r.document.file, r.document.id, r.document.title) === key,
  );
  return compiled ? null : 'error';
}

async function loadRuleSets(dirs: readonly string[]): Promise<RuleSets> {
  const [records, inosec] = await Promise.all([loadRuleSet(dirs), loadInosecRuleSet(dirs)]);
  const correlations = records.correlations;
  // The records set holds every rule that compiles (a superset of the InoSec set), so it names every hit.
  const builder = new AlertBuilder({ rules: alertRuleInfo(records.ruleSet.rules), correlations });
  const unsupported: CheckedUnsupported[] = inosec.report.unsupported.map((rule) => ({
    ...rule,
    record_reason: recordReason(records, rule),
  }));
  const errors: RuleLoadError[] = [];
  const seen = new Set<string>();
  for (const error of [...records.report.errors, ...inosec.report.errors]) {
    const key = ruleIdentity(error.file, error.id, error.message);
    if (!seen.has(key)) errors.push(error);
    seen.add(key);
  }
  for (const error of builder.correlationErrors) {
    const { file, ruleId: id } = error.location;
    if (error instanceof SigmaUnsupportedError) {
      const title = correlations.find((c) => c.id === id && (!file || c.file === file))?.title;
      const rule = { id, title, file, reason: error.reason, message: error.message };
      unsupported.push({ ...rule, record_reason: error.reason });
    } else {
      errors.push({ file, id, message: error.message });
    }
  }
  return { records, inosec, correlations, builder, unsupported, errors };
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 rule errors or unreadable events, 2 usage). */
export async function runDetect(argv: readonly string[], io: DetectIo): Promise<number> {
  let values: { rules?: string[]; events?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        rules: { type: 'string', multiple: true },
        events: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr(JSON.stringify({ error: (error as Error).message, usage: USAGE }));
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const rules = values.rules ?? [];
  if (rules.length === 0 || (values.events === undefined) === !values.check) {
    io.stderr(JSON.stringify({ error: 'give --rules and exactly one of --events or --check', usage: USAGE }));
    return 2;
  }
  const sets = await loadRuleSets(rules);
  const { unsupported, errors } = sets;
  // loaded/unsupported: InoSec's view (what the collector runs on its events); compiled: the rules raw and
  // evtx records are matched against; correlation_rules: the correlations that compiled.
  const summary = {
    loaded: sets.inosec.report.loaded,
    unsupported: unsupported.length,
    errors: errors.length,
    matches: 0,
    correlations: 0,
    compiled: sets.records.report.loaded,
    correlation_rules: sets.builder.correlationCount,
  };
  if (values.check) {
    for (const rule of unsupported) io.stdout(JSON.stringify({ unsupported: rule }));
    for (const error of errors) io.stdout(JSON.stringify({ error }));
    io.stdout(JSON.stringify(summary));
    return errors.length > 0 ? 1 : 0;
  }
  const counts = await scanEvents(sets, values.events as string, io);
  io.stdout(
    JSON.stringify({
      ...summary,
      matches: counts.matches,
      correlations: counts.correlations,
      events: counts.events,
      bad_events: counts.bad,
      untimed_matches: counts.untimed,
    }),
  );
  return counts.unreadable ? 1 : 0;
}

/** One input line: an InoSec event, or a flat record (evtx flattened, or raw) matched against every rule. */
type InputRecord = { kind: 'inosec'; event: IEvent } | { kind: 'record'; view: SigmaEvent };

function classify(record: unknown): InputRecord | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const object = record as Record<string, unknown>;
  const evtx = object['Event'];
  if (evtx !== null && typeof evtx === 'object' && 'System' in evtx) {
    return { kind: 'record', view: flattenEvtxRecord(object) };
  }
  const inosec =
    PAYLOADS.some((key) => key in object) &&
    ('timeUnixUs' in object || 'sensor' in object || 'seq' in object);
  if (inosec) return { kind: 'inosec', event: Event.fromObject(object) };
  return { kind: 'record', view: object };
}

interface ScanCounts {
  events: number;
  matches: number;
  correlations: number;
  bad: number;
  /** Matches of records without a usable time: printed, but not fed to the correlations. */
  untimed: number;
  unreadable: boolean;
}

/** The hits of one input record, each referring to the record by its index (`ref.seq`). */
function hitsOf(sets: RuleSets, input: InputRecord, index: number): SigmaHit[] {
  const hits: SigmaHit[] = [];
  if (input.kind === 'inosec') {
    matchEvent(sets.inosec.ruleSet, CLI_AGENT, input.event, hits);
    for (const hit of hits) hit.ref = { agentId: CLI_AGENT, seq: index, timeUs: hit.ref.timeUs };
    return hits;
  }
  const timeUs = recordTimeUs(input.view) ?? 0;
  sets.records.ruleSet.evaluate(input.view, undefined, (rule: CompiledRule) => {
    const hit: SigmaHit = {
      ruleId: ruleKey(rule),
      logsourceKey: rule.logsourceKey,
      ref: { agentId: CLI_AGENT, seq: index, timeUs },
      view: input.view,
    };
    if (rule.name) hit.ruleName = rule.name;
    hits.push(hit);
  });
  return hits;
}

function matchLine(rule: CompiledRule | undefined, hit: SigmaHit, index: number): string {
  return JSON.stringify({
    rule_id: rule?.id ?? null,
    rule_title: rule?.title ?? hit.ruleId,
    level: rule?.level ?? null,
    event_index: index,
    logsource: hit.logsourceKey,
  });
}

function correlationLine(alert: DetectionAlert, docs: readonly SigmaCorrelationDocument[]): string {
  const doc = docs.find(
    (d) => d.id === alert.ruleId || d.name === alert.ruleId || `title:${d.title}` === alert.ruleId,
  );
  const iso = (us: number) => new Date(us / 1000).toISOString();
  return JSON.stringify({
    correlation_id: doc?.id ?? null,
    correlation_name: doc?.name ?? null,
    title: alert.ruleName,
    level: doc?.level ?? null,
    type: doc?.correlation.type ?? null,
    group_by: alert.groupBy ?? {},
    count: alert.count,
    first_seen: iso(alert.firstSeenUs),
    last_seen: iso(alert.lastSeenUs),
    event_indexes: alert.events.map((ref) => ref.seq),
  });
}

async function scanEvents(sets: RuleSets, file: string, io: DetectIo): Promise<ScanCounts> {
  const counts: ScanCounts = {
    events: 0,
    matches: 0,
    correlations: 0,
    bad: 0,
    untimed: 0,
    unreadable: false,
  };
  const rulesByKey = new Map<string, CompiledRule>();
  for (const rule of sets.records.ruleSet.rules) rulesByKey.set(ruleKey(rule), rule);
  const correlate = sets.builder.correlationCount > 0;
  const printCorrelations = (alerts: readonly DetectionAlert[]) => {
    for (const alert of alerts) {
      if (alert.ruleset !== 'correlation') continue;
      counts.correlations++;
      io.stdout(correlationLine(alert, sets.correlations));
    }
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let index = -1;
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      index++;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (error) {
        counts.bad++;
        io.stderr(JSON.stringify({ error: `not JSON: ${(error as Error).message}`, event_index: index }));
        continue;
      }
      counts.events++;
      let hits: SigmaHit[];
      try {
        const input = classify(record);
        hits = input ? hitsOf(sets, input, index) : [];
      } catch (error) {
        counts.bad++;
        io.stderr(JSON.stringify({ error: `not an event: ${(error as Error).message}`, event_index: index }));
        continue;
      }
      for (const hit of hits) io.stdout(matchLine(rulesByKey.get(hit.ruleId), hit, index));
      counts.matches += hits.length;
      if (!correlate || hits.length === 0) continue;
      const timed = hits.filter((hit) => hit.ref.timeUs > 0);
      counts.untimed += hits.length - timed.length;
      if (timed.length > 0) printCorrelations(sets.builder.build(CLI_TENANT, timed));
    }
  } catch (error) {
    counts.unreadable = true;
    io.stderr(JSON.stringify({ error: `cannot read ${file}: ${(error as Error).message}` }));
  }
  // The end of the file closes every window: correlations with upper bounds (lt, lte, eq, neq) decide now.
  if (correlate) printCorrelations(sets.builder.expire(Number.MAX_SAFE_INTEGER));
  return counts;
}
