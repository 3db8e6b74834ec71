// Disk spool benchmark: append of 300-byte records in batches of 100 (fsync every second; fsync on every
// append; fsync on every append with 8 concurrent appenders sharing syncs), sequential reads of 1,000
// records, and in the same run the raw ceiling: the same bytes written with FileHandle.write, unframed,
// without fsync and with an fdatasync per batch.
// Each spool figure and its raw ceiling are measured interleaved, iteration by iteration (alternating
// which goes first), so that their ratio holds even on a disk whose fsync latency swings from one second
// to the next, as on shared virtual machines.
// Run: npx vitest bench --run edge-agent/bench/spool.bench.ts
// Prints vitest's table and one `BENCH {json}` line per figure.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { Spool } from '../src/spool/index.js';

const RECORD_BYTES = 300;
const BATCH = 100;
const READ_BATCH = 1_000;
const GiB = 1024 * 1024 * 1024;
const payloads = Array.from({ length: BATCH }, (_, index) => Buffer.alloc(RECORD_BYTES, index));
const encode = (item: Buffer): Uint8Array => item;
const root = await mkdtemp(path.join(os.tmpdir(), 'inosec-spool-bench-'));

/** One measured side of a benchmark: events handled and time spent in it. */
interface Side {
  name: string;
  extra: Record<string, unknown>;
  fn: () => Promise<number>;
  events: number;
  ms: number;
  runs: number;
}

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

const rate = (side: Side): number => (side.ms > 0 ? (side.events * 1000) / side.ms : 0);

/**
 * A vitest benchmark running each side once per iteration (order alternating), each timed by its own
 * clock; prints events/s and MB/s per side and, with `ratio`, the first side's rate over the second's.
 */
function interleavedBench(
  label: string,
  sides: Array<Pick<Side, 'name' | 'extra' | 'fn'>>,
  ratio?: Record<string, unknown>,
): Side[] {
  const measured: Side[] = sides.map((side) => ({ ...side, events: 0, ms: 0, runs: 0 }));
  let iteration = 0;
  bench(
    label,
    async () => {
      iteration++;
      const order = iteration % 2 === 0 ? measured : [...measured].reverse();
      for (const side of order) {
        const start = performance.now();
        side.events += await side.fn();
        side.ms += performance.now() - start;
        side.runs++;
      }
    },
    {
      time: 2_000,
      warmupTime: 200,
      setup: (_task, mode) => {
        if (mode === 'run') for (const side of measured) Object.assign(side, { events: 0, ms: 0, runs: 0 });
      },
      teardown: (_task, mode) => {
        if (mode !== 'run') return;
        for (const side of measured) {
          const extra = { ...side.extra, record_bytes: RECORD_BYTES, runs: side.runs };
          figure(side.name, rate(side), 'events/s', extra);
          figure(
            side.name.replace(/events_per_s$/, 'mb_per_s'),
            (rate(side) * RECORD_BYTES) / 1e6,
            'MB/s',
            side.extra,
          );
        }
        const [spool, raw] = measured;
        if (ratio && spool && raw && rate(raw) > 0) {
          figure('agent.spool.append_vs_raw_ratio', rate(spool) / rate(raw), 'x', {
            ...ratio,
            note: 'spool events/s over unframed FileHandle.write of the same bytes, interleaved in the same run',
          });
        }
      },
    },
  );
  return measured;
}

/** A raw file appended with the batch's bytes concatenated (the copy the spool's framing also makes). */
async function rawFile(
  name: string,
  sync: boolean,
): Promise<{ write: () => Promise<number>; close: () => Promise<void> }> {
  const handle: FileHandle = await open(path.join(root, name), 'w');
  let position = 0;
  return {
    write: async () => {
      const buffer = Buffer.concat(payloads);
      await handle.write(buffer, 0, buffer.length, position);
      position += buffer.length;
      if (sync) await handle.datasync();
      return BATCH;
    },
    close: () => handle.close(),
  };
}

const spools: Spool[] = [];
async function openSpool(name: string, fsync: 'always' | { intervalMs: number }): Promise<Spool> {
  const spool = await Spool.open({
    dir: path.join(root, name),
    maxBytes: 4 * GiB,
    segmentBytes: 16 << 20,
    fsync,
  });
  spools.push(spool);
  return spool;
}

const raw = await rawFile('raw.bin', false);
const rawSync = await rawFile('raw-sync.bin', true);
const intervalSpool = await openSpool('interval', { intervalMs: 1000 });
const alwaysSpool = await openSpool('always', 'always');
const alwaysSpool8 = await openSpool('always-8', 'always');
const setupSpool = await openSpool('read', { intervalMs: 1000 });
for (let batch = 0; batch < 2_000; batch++) await setupSpool.append(payloads, encode);
// Close (fsync) and reopen, so that this setup's writeback does not run during the measurements.
await setupSpool.close();
const readSpool = await openSpool('read', { intervalMs: 1000 });
let readAfter = 0;

afterAll(async () => {
  for (const spool of spools) await spool.close();
  await raw.close();
  await rawSync.close();
  await rm(root, { recursive: true, force: true });
});

const appendInterval = async (): Promise<number> => {
  await intervalSpool.append(payloads, encode);
  return BATCH;
};
const appendAlways = async (): Promise<number> => {
  await alwaysSpool.append(payloads, encode);
  return BATCH;
};
const appendAlways8 = async (): Promise<number> => {
  await Promise.all(Array.from({ length: 8 }, () => alwaysSpool8.append(payloads, encode)));
  return 8 * BATCH;
};

describe('agent disk spool, 300-byte records in batches of 100', () => {
  interleavedBench(
    'spool append fsync always | raw write + fdatasync per batch',
    [
      { name: 'agent.spool.append_events_per_s', extra: { fsync: 'always' }, fn: appendAlways },
      { name: 'agent.spool.raw_write_events_per_s', extra: { fsync: 'per_batch' }, fn: rawSync.write },
    ],
    { fsync: 'always' },
  );
  interleavedBench(
    'spool append fsync always, 8 concurrent appenders (group commit) | raw write + fdatasync per batch',
    [
      {
        name: 'agent.spool.append_events_per_s',
        extra: { fsync: 'always', concurrency: 8 },
        fn: appendAlways8,
      },
      { name: 'agent.spool.raw_write_events_per_s', extra: { fsync: 'per_batch' }, fn: rawSync.write },
    ],
    { fsync: 'always', concurrency: 8 },
  );
  interleavedBench(
    'spool append fsync every 1 s | raw write, no fsync',
    [
      { name: 'agent.spool.append_events_per_s', extra: { fsync: 'interval' }, fn: appendInterval },
      { name: 'agent.spool.raw_write_events_per_s', extra: { fsync: 'none' }, fn: raw.write },
    ],
    { fsync: 'interval' },
  );
  interleavedBench('spool read, 1,000 records per read', [
    {
      name: 'agent.spool.read_events_per_s',
      extra: { batch: READ_BATCH },
      fn: async () => {
        let records = await readSpool.read(readAfter, READ_BATCH, 4 << 20);
        if (records.length === 0) records = await readSpool.read(0, READ_BATCH, 4 << 20);
        readAfter = (records[records.length - 1]?.seq ?? 0) % readSpool.stats().lastSeq;
        return records.length;
      },
    },
  ]);
});
