import { mkdtemp, open as openFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { segmentFileName } from './spool-format.js';
import {
  SpoolClosedError,
  SpoolLockedError,
  SpoolRecordTooLargeError,
  Spool,
  readQuarantine,
  type SpoolOptions,
} from './index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-spool-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const KiB = 1024;
/** A payload that names its item and seq, padded to `size` bytes. */
function payload(item: number, seq: number, size = 100): Buffer {
  return Buffer.from(`item=${item} seq=${seq};`.padEnd(size, '.'));
}
const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, index) => from + index);

async function openSpool(dir: string, extra: Partial<SpoolOptions> = {}): Promise<Spool> {
  return Spool.open({ dir, maxBytes: 64 * 1024 * KiB, segmentBytes: 64 * KiB, fsync: 'never', ...extra });
}

async function readAll(spool: Spool, afterSeq = 0): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const batch = await spool.read(afterSeq, 1000, 1024 * KiB);
    if (batch.length === 0) return seqs;
    for (const record of batch) seqs.push(record.seq);
    afterSeq = (batch[batch.length - 1] as { seq: number }).seq;
  }
}

describe('Spool', () => {
  it('round-trips payloads with their seqs, empty and binary ones included', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    const items = [Buffer.alloc(0), Buffer.from([0, 255, 1, 254]), payload(2, 3, 5000)];
    const seen: number[] = [];
    const result = await spool.append(items, (item, seq) => {
      seen.push(seq);
      return item;
    });
    expect(result).toEqual({ firstSeq: 1, lastSeq: 3 });
    expect(seen).toEqual([1, 2, 3]);
    const records = await spool.read(0, 10, 1024 * KiB);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    records.forEach((record, index) => expect(record.payload.equals(items[index] as Buffer)).toBe(true));
    expect(await spool.append([], () => Buffer.alloc(1))).toEqual({ firstSeq: 4, lastSeq: 3 });
    await spool.close();
  });

  it('continues the seq across close and open, and never reuses one after everything was acked', async () => {
    const dir = await tempDir();
    let spool = await openSpool(dir);
    await spool.append(range(0, 50), (item, seq) => payload(item, seq));
    await spool.close();
    spool = await openSpool(dir);
    expect(spool.stats()).toMatchObject({ firstSeq: 1, lastSeq: 50, pending: 50 });
    expect(await spool.append([1, 2], (item, seq) => payload(item, seq))).toEqual({
      firstSeq: 51,
      lastSeq: 52,
    });
    await spool.ack(52);
    await spool.close();
    spool = await openSpool(dir);
    // Every segment was acked: recovery deleted them; the seq still goes on from the state file.
    expect((await readdir(dir)).filter((name) => name.endsWith('.seg'))).toEqual([]);
    expect(spool.stats()).toMatchObject({ segments: 0, ackedSeq: 52, lastSeq: 52, pending: 0, firstSeq: 53 });
    expect(await spool.append([1], (item, seq) => payload(item, seq))).toEqual({ firstSeq: 53, lastSeq: 53 });
    await spool.close();
  });

  it('reads across segment boundaries in order, honouring maxRecords and maxBytes, from any seq', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    // 1,000-byte payloads: 64 records per 64 KiB segment, so 300 records span 5 segments.
    for (let batch = 0; batch < 30; batch++)
      await spool.append(range(0, 10), (item, seq) => payload(item, seq, 1000));
    expect(spool.stats().segments).toBe(5);
    expect(await readAll(spool)).toEqual(range(1, 300));
    // Sequential reads with small budgets, crossing boundaries.
    const seqs: number[] = [];
    for (let after = 0; after < 300;) {
      const batch = await spool.read(after, 7, 3500);
      expect(batch.length).toBe(Math.min(3, 300 - after)); // 3 * 1000 <= 3500 < 4 * 1000
      for (const record of batch) {
        expect(record.payload.toString().startsWith(`item=`)).toBe(true);
        expect(record.payload.toString()).toContain(`seq=${record.seq};`);
      }
      seqs.push(...batch.map((record) => record.seq));
      after = seqs[seqs.length - 1] as number;
    }
    expect(seqs).toEqual(range(1, 300));
    // Random access: every start seq, through the checkpoint index.
    for (let after = 0; after <= 300; after += 13) {
      expect((await spool.read(after, 70, 1024 * KiB)).map((record) => record.seq)).toEqual(
        range(after + 1, Math.min(70, 300 - after)),
      );
    }
    // One record even when it alone exceeds maxBytes.
    expect((await spool.read(10, 100, 1)).map((record) => record.seq)).toEqual([11]);
    expect(await spool.read(300, 10, 1000)).toEqual([]);
    await spool.close();
  });

  it('makes appended data readable at once, before any fsync', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { fsync: { intervalMs: 60_000 } });
    for (let seq = 1; seq <= 200; seq++) {
      await spool.append([seq], (item, assigned) => payload(item, assigned));
      const [record] = await spool.read(seq - 1, 10, 1024 * KiB);
      expect(record?.seq).toBe(seq);
    }
    await spool.close();
  });

  it('drops the oldest segments past maxBytes and counts exactly the unacked records', async () => {
    const dir = await tempDir();
    // 1,016-byte records: 64 per segment (16 + 64 * 1016 = 65,040 bytes); 3 segments fit in 196,000 bytes.
    const spool = await openSpool(dir, { maxBytes: 196_000 });
    for (let batch = 0; batch < 24; batch++)
      await spool.append(range(0, 8), (item, seq) => payload(item, seq, 1000));
    expect(spool.stats()).toMatchObject({ segments: 3, droppedRecords: 0, lastSeq: 192 });
    await spool.ack(10);
    await spool.append([1], (item, seq) => payload(item, seq, 1000)); // seq 193 starts segment 4: 196,152 bytes
    expect(spool.stats()).toMatchObject({
      segments: 3,
      bytes: 65_040 * 2 + 16 + 1016,
      firstSeq: 65,
      lastSeq: 193,
      droppedRecords: 54, // seqs 11..64
      droppedSegments: 1,
      pending: 129,
    });
    expect(await readdir(dir)).not.toContain(segmentFileName(1));
    expect((await readAll(spool, 10))[0]).toBe(65);
    await spool.close();
    const reopened = await openSpool(dir, { maxBytes: 196_000 });
    expect(reopened.stats()).toMatchObject({
      droppedRecords: 54,
      droppedSegments: 1,
      firstSeq: 65,
      lastSeq: 193,
    });
    await reopened.close();
  });

  it('accepts a single append larger than the bound, keeping its newest records', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { maxBytes: 100_000 });
    const result = await spool.append(range(0, 300), (item, seq) => payload(item, seq, 1000));
    expect(result).toEqual({ firstSeq: 1, lastSeq: 300 });
    const stats = spool.stats();
    expect(stats.bytes).toBeLessThanOrEqual(100_000);
    expect(stats.droppedRecords + stats.pending).toBe(300);
    expect(await readAll(spool)).toEqual(range(stats.firstSeq, 300 - stats.firstSeq + 1));
    await spool.close();
  });

  it('deletes acked segments, keeps ackedSeq across reopen, and ignores old or excessive acks', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    for (let batch = 0; batch < 25; batch++)
      await spool.append(range(0, 8), (item, seq) => payload(item, seq, 1000));
    expect(spool.stats().segments).toBe(4); // 1-64, 65-128, 129-192, 193-200
    await spool.ack(130);
    expect((await readdir(dir)).filter((name) => name.endsWith('.seg'))).toEqual([
      segmentFileName(129),
      segmentFileName(193),
    ]);
    await spool.ack(100); // older: no-op
    expect(spool.stats()).toMatchObject({ ackedSeq: 130, pending: 70, segments: 2 });
    await spool.close();
    const reopened = await openSpool(dir);
    expect(reopened.stats()).toMatchObject({ ackedSeq: 130, pending: 70 });
    expect((await reopened.read(130, 1, 1)).map((record) => record.seq)).toEqual([131]);
    await reopened.ack(10_000); // clamped to the last seq
    expect(reopened.stats()).toMatchObject({ ackedSeq: 200, pending: 0 });
    await reopened.close();
  });

  it('quarantines a rejected batch durably, counted and bounded', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { quarantineMaxBytes: 30_000 });
    await spool.append(range(0, 40), (item, seq) => payload(item, seq, 1000));
    const first = await spool.read(0, 10, 1024 * KiB);
    await spool.quarantine(first, 'collector: schema violation');
    await spool.ack(10);
    const entries = await readQuarantine(path.join(dir, 'quarantine'));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.meta).toMatchObject({
      reason: 'collector: schema violation',
      records: 10,
      firstSeq: 1,
      lastSeq: 10,
    });
    expect(entries[0]?.records.map((record) => record.seq)).toEqual(range(1, 10));
    expect(entries[0]?.records[3]?.payload.equals(payload(3, 4, 1000))).toBe(true);
    // Three more batches of ~10 KiB: the oldest entries go to stay under 30,000 bytes.
    for (let after = 10; after < 40; after += 10)
      await spool.quarantine(await spool.read(after, 10, 1024 * KiB), 'bad');
    const kept = await readQuarantine(path.join(dir, 'quarantine'));
    expect(kept.map((entry) => entry.meta.firstSeq)).toEqual([21, 31]);
    expect(spool.stats().quarantined).toBe(40);
    await spool.close();
    const reopened = await openSpool(dir);
    expect(reopened.stats().quarantined).toBe(40);
    await reopened.close();
  });

  it('wakes waitForData on append and honours abort and close', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    let woke = false;
    const waiting = spool.waitForData(0).then(() => {
      woke = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woke).toBe(false);
    await spool.append([1], (item, seq) => payload(item, seq));
    await waiting;
    expect(woke).toBe(true);
    await expect(spool.waitForData(0)).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = spool.waitForData(1, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(aborted).rejects.toThrow('stopping');
    const pending = expect(spool.waitForData(1)).rejects.toBeInstanceOf(SpoolClosedError);
    await spool.close();
    await pending;
  });

  it('serializes concurrent appends into contiguous seqs while reads run', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { fsync: 'always' });
    const reader = (async () => {
      const seen: number[] = [];
      while (seen.length < 400) {
        await spool.waitForData(seen[seen.length - 1] ?? 0);
        const batch = await spool.read(seen[seen.length - 1] ?? 0, 37, 1024 * KiB);
        seen.push(...batch.map((record) => record.seq));
      }
      return seen;
    })();
    const results = await Promise.all(
      range(0, 40).map((item) => spool.append(range(0, 10), (_, seq) => payload(item, seq, 300))),
    );
    const firsts = results.map((result) => result.firstSeq).sort((a, b) => a - b);
    expect(firsts).toEqual(range(0, 40).map((index) => 1 + index * 10));
    results.forEach((result) => expect(result.lastSeq - result.firstSeq).toBe(9));
    expect(await reader).toEqual(range(1, 400));
    await spool.close();
  });

  it('refuses a record over maxRecordBytes without using any seq', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { maxRecordBytes: 1000 });
    await expect(spool.append([10, 2000], (size) => Buffer.alloc(size))).rejects.toBeInstanceOf(
      SpoolRecordTooLargeError,
    );
    expect(await spool.append([1], (size) => Buffer.alloc(size))).toEqual({ firstSeq: 1, lastSeq: 1 });
    await spool.close();
  });

  it('holds the directory lock until closed, and refuses use after close', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    await expect(openSpool(dir)).rejects.toBeInstanceOf(SpoolLockedError);
    await spool.close();
    await expect(spool.append([1], () => Buffer.alloc(1))).rejects.toBeInstanceOf(SpoolClosedError);
    const again = await openSpool(dir);
    await again.close();
  });

  it('cuts a segment whose data changed on disk under it, counting the lost records, and reads on', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    for (let batch = 0; batch < 20; batch++)
      await spool.append(range(0, 10), (item, seq) => payload(item, seq, 1000));
    // Flip one payload byte of seq 30 (segment 1-64): offset 16 + 29 * 1016 + 16 + 500.
    const file = path.join(dir, segmentFileName(1));
    const handle = await openFile(file, 'r+');
    await handle.write(Buffer.from([0x7f]), 0, 1, 16 + 29 * 1016 + 16 + 500);
    await handle.close();
    expect(await readAll(spool)).toEqual([...range(1, 29), ...range(65, 136)]);
    expect(spool.stats()).toMatchObject({ droppedRecords: 35, tornTails: 1, tornBytes: 35 * 1016 });
    expect((await stat(file)).size).toBe(16 + 29 * 1016);
    await spool.close();
    const reopened = await openSpool(dir);
    expect(reopened.stats()).toMatchObject({ droppedRecords: 35, tornTails: 1, lastSeq: 200 });
    await reopened.close();
  });

  it('rejects bad options with a message naming the option', async () => {
    const dir = await tempDir();
    await expect(Spool.open({ dir, maxBytes: 0 })).rejects.toThrow(/maxBytes/);
    await expect(Spool.open({ dir, maxBytes: 1e6, segmentBytes: 100 })).rejects.toThrow(/segmentBytes/);
    await expect(Spool.open({ dir, maxBytes: 1e6, fsync: { intervalMs: -1 } })).rejects.toThrow(/intervalMs/);
  });
});
