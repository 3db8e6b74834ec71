// Codec benchmark: encode and decode an EventBatch of 1,000 mixed realistic events, side by side with
// JSON.stringify / JSON.parse of the same data in the same run (the ratio holds on a noisy machine).
// Run: npm run bench -w protos. Prints vitest's table and one `BENCH {json}` line per figure.
import { bench, describe } from 'vitest';
import { EventBatch, decodeEventBatch, encodeMessage } from '../src/index.js';
import { mixedEventBatch, withSharedHost } from '../test/fixtures.js';

const EVENTS = 1_000;
const batch = mixedEventBatch(EVENTS);
const encoded = encodeMessage(EventBatch, batch);
const shared = encodeMessage(EventBatch, withSharedHost(batch));
const json = Buffer.from(JSON.stringify(batch));

interface Timing {
  runs: number;
  ms: number;
}

const timings = new Map<string, Timing>();

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

/**
 * A benchmark whose own clock measures only the timed loop (vitest's setup/teardown hooks bracket it), so
 * that events/s and MB/s can be printed next to vitest's table.
 */
function codecBench(label: string, key: string, bytes: number, fn: () => unknown): void {
  const timing: Timing = { runs: 0, ms: 0 };
  timings.set(key, timing);
  bench(
    label,
    () => {
      const start = performance.now();
      fn();
      timing.ms += performance.now() - start;
      timing.runs++;
    },
    {
      time: 2_000,
      warmupTime: 300,
      setup: (_task, mode) => {
        if (mode === 'run') Object.assign(timing, { runs: 0, ms: 0 });
      },
      teardown: (_task, mode) => {
        if (mode !== 'run' || timing.runs === 0) return;
        const seconds = timing.ms / 1_000;
        const context = { batch_events: EVENTS, batch_bytes: bytes, runs: timing.runs };
        figure(`protos.${key}`, (timing.runs * EVENTS) / seconds, 'events/s', context);
        figure(`protos.${key}_throughput`, (timing.runs * bytes) / seconds / 1e6, 'MB/s', context);
        reportRatio(key);
      },
    },
  );
}

function rate(key: string): number | undefined {
  const timing = timings.get(key);
  return timing && timing.runs > 0 ? timing.runs / timing.ms : undefined;
}

function reportRatio(finished: string): void {
  const pairs: Record<string, [string, string]> = {
    json_stringify_batch: ['encode_batch', 'encode_vs_json_stringify'],
    json_parse_batch: ['decode_batch', 'decode_vs_json_parse'],
  };
  if (finished === 'decode_batch_shared_host') {
    const perEvent = rate('decode_batch');
    const sharedRate = rate(finished);
    if (perEvent !== undefined && sharedRate !== undefined) {
      figure('protos.decode_shared_host_speedup', sharedRate / perEvent, 'x', {
        note: 'host once per batch vs on every event, events/s, same run',
        bytes_ratio: shared.length / encoded.length,
      });
    }
    return;
  }
  const pair = pairs[finished];
  if (!pair) return;
  const [protobufKey, name] = pair;
  const protobufRate = rate(protobufKey);
  const jsonRate = rate(finished);
  if (protobufRate === undefined || jsonRate === undefined) return;
  figure(`protos.${name}`, protobufRate / jsonRate, 'x', { note: 'protobuf speed / JSON speed, same run' });
}

describe(`EventBatch of ${EVENTS} mixed events (protobuf ${encoded.length} B, JSON ${json.length} B)`, () => {
  figure('protos.batch_size_vs_json', encoded.length / json.length, 'x', {
    protobuf_bytes: encoded.length,
    json_bytes: json.length,
  });
  codecBench('protobuf encode', 'encode_batch', encoded.length, () => encodeMessage(EventBatch, batch));
  codecBench('JSON.stringify + UTF-8', 'json_stringify_batch', json.length, () =>
    Buffer.from(JSON.stringify(batch)),
  );
  codecBench('protobuf decode', 'decode_batch', encoded.length, () => decodeEventBatch(encoded));
  codecBench('protobuf decode, host once per batch', 'decode_batch_shared_host', shared.length, () =>
    decodeEventBatch(shared),
  );
  codecBench(
    'UTF-8 + JSON.parse',
    'json_parse_batch',
    json.length,
    () => JSON.parse(json.toString()) as unknown,
  );
});
