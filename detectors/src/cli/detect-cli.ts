// `inosec-detect`: runs Sigma rules over a file of events, or checks a rule directory, and prints JSON lines.
//   inosec-detect --rules DIR [--rules DIR ...] --events FILE.jsonl   one line per match, then a summary
//   inosec-detect --rules DIR --check                                  the load report, then a summary
// Events may be InoSec's normalised events (proto3 JSON of inosec.v1.Event: their Sigma views are matched
// against the rules of each view's log source), Windows event records in evtx JSON form (`Event.System`,
// `Event.EventData`), or raw JSON log records with the field names the rules use (matched against every
// rule). The last line is always `{"loaded": N, "unsupported": N, "errors": N, "matches": N, ...}`.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Event } from '@inosec/protos';
import { flattenEvtxRecord, loadRuleSet, type RuleSet } from '../sigma/engine/index.js';
import { toSigmaEvents } from '../sigma/logsource/index.js';
import type { SigmaEvent } from '../sigma/sigma-types.js';

/** Where the CLI writes: one JSON document per line on each stream. */
export interface DetectIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export const USAGE = 'usage: inosec-detect --rules DIR [--rules DIR ...] (--events FILE.jsonl | --check)';

const PAYLOADS = ['process', 'network', 'file', 'auth', 'log', 'metric', 'ot', 'inventory'];

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
  const { ruleSet, report } = await loadRuleSet(rules);
  const summary = {
    loaded: report.loaded,
    unsupported: report.unsupported.length,
    errors: report.errors.length,
    matches: 0,
  };
  if (values.check) {
    for (const rule of report.unsupported) io.stdout(JSON.stringify({ unsupported: rule }));
    for (const error of report.errors) io.stdout(JSON.stringify({ error }));
    io.stdout(JSON.stringify(summary));
    return report.errors.length > 0 ? 1 : 0;
  }
  const counts = await matchEvents(ruleSet, values.events as string, io);
  io.stdout(
    JSON.stringify({ ...summary, matches: counts.matches, events: counts.events, bad_events: counts.bad }),
  );
  return counts.unreadable ? 1 : 0;
}

/** The Sigma view(s) of one JSON record, with the log sources whose rules apply (undefined: every rule). */
function viewsOf(record: unknown): Array<{ event: SigmaEvent; logsource: string | undefined }> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return [];
  const object = record as Record<string, unknown>;
  const evtx = object['Event'];
  if (evtx !== null && typeof evtx === 'object' && 'System' in evtx) {
    return [{ event: flattenEvtxRecord(object), logsource: undefined }];
  }
  const inosec =
    PAYLOADS.some((key) => key in object) &&
    ('timeUnixUs' in object || 'sensor' in object || 'seq' in object);
  if (inosec) {
    return toSigmaEvents(Event.fromObject(object)).map((view) => ({
      event: view.event,
      logsource: view.logsourceKey,
    }));
  }
  return [{ event: object, logsource: undefined }];
}

async function matchEvents(
  ruleSet: RuleSet,
  file: string,
  io: DetectIo,
): Promise<{ events: number; matches: number; bad: number; unreadable: boolean }> {
  const counts = { events: 0, matches: 0, bad: 0, unreadable: false };
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
      let views: ReturnType<typeof viewsOf>;
      try {
        views = viewsOf(record);
      } catch (error) {
        counts.bad++;
        io.stderr(JSON.stringify({ error: `not an event: ${(error as Error).message}`, event_index: index }));
        continue;
      }
      const seen = new Set<unknown>();
      for (const view of views) {
        ruleSet.evaluate(view.event, view.logsource === undefined ? undefined : [view.logsource], (rule) => {
          if (seen.has(rule)) return; // one line per rule and event, however many views matched
          seen.add(rule);
          counts.matches++;
          io.stdout(
            JSON.stringify({
              rule_id: rule.id ?? null,
              rule_title: rule.title,
              level: rule.level ?? null,
              event_index: index,
              logsource: view.logsource ?? rule.logsourceKey,
            }),
          );
        });
      }
    }
  } catch (error) {
    counts.unreadable = true;
    io.stderr(JSON.stringify({ error: `cannot read ${file}: ${(error as Error).message}` }));
  }
  return counts;
}
