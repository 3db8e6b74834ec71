import { cp, mkdtemp, open, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentFileName } from './spool-format.js';
import { Spool, type SpoolOptions } from './index.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'inosec-spool-recovery-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let counter = 0;
async function freshDir(from?: string): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  if (from) await cp(from, dir, { recursive: true });
  return dir;
}

const options = (dir: string): SpoolOptions => ({
  dir,
  maxBytes: 64 * 1024 * 1024,
  segmentBytes: 64 * 1024,
  fsync: 'always',
});
const payload = (seq: number, size: number): Buffer => Buffer.alloc(size, seq % 251);
const range = (from: number, count: number): number[] =>
  Array.from({ length: count }, (_, index) => from + index);

async function readSeqs(spool: Spool): Promise<number[]> {
  const seqs: number[] = [];
  for (let after = 0; ;) {
    const batch = await spool.read(after, 10_000, 64 * 1024 * 1024);
    if (batch.length === 0) return seqs;
    for (const record of batch) {
      expect(record.payload.equals(payload(record.seq, record.payload.length))).toBe(true);
      seqs.push(record.seq);
    }
    after = seqs[seqs.length - 1] as number;
  }
}

/**
 * A spool as a crash leaves it: two segments (seqs 1-64 with 1,007-byte payloads, 1,023 bytes a record,
 * filling the first; then 65-67 with payloads of 40, 0 and 25 bytes), copied while the spool was still
 * open (state file unclean, its nextSeq floor stale).
 */
let crashed: string;
const R = 1023;
const SECOND = segmentFileName(65);
const lastRecords = [
  { seq: 65, end: 16 + 56 },
  { seq: 66, end: 72 + 16 },
  { seq: 67, end: 88 + 41 },
];

beforeAll(async () => {
  const live = await freshDir();
  const spool = await Spool.open(options(live));
  for (let batch = 0; batch < 8; batch++)
    await spool.append(range(batch * 8 + 1, 8), (seq) => payload(seq, R - 16));
  await spool.append([65], (seq) => payload(seq, 40));
  await spool.append([66], (seq) => payload(seq, 0));
  await spool.append([67], (seq) => payload(seq, 25));
  crashed = await freshDir(live);
  await spool.close();
  expect((await stat(path.join(crashed, SECOND))).size).toBe(129);
});

/** Truncates the last segment of a copy of the crashed spool at `offset` and checks what recovery makes of it. */
async function crashAt(offset: number): Promise<void> {
  const dir = await freshDir(crashed);
  await truncate(path.join(dir, SECOND), offset);
  const valid = lastRecords.filter((record) => record.end <= offset);
  const validEnd = valid.length > 0 ? (valid[valid.length - 1] as { end: number }).end : 16;
  const tornTails = offset < 16 || offset !== validEnd ? 1 : 0;
  const spool = await Spool.open(options(dir));
  const lastSeq = 64 + valid.length;
  expect(await readSeqs(spool), `offset ${offset}`).toEqual(range(1, lastSeq));
  expect(spool.stats(), `offset ${offset}`).toMatchObject({
    lastSeq,
    tornTails,
    tornBytes: offset < 16 ? offset : offset - validEnd,
    droppedRecords: 0, // the lost records were never durable: their seqs are handed out again
  });
  if (valid.length > 0) expect((await stat(path.join(dir, SECOND))).size, `offset ${offset}`).toBe(validEnd);
  else expect(await readdir(dir), `offset ${offset}`).not.toContain(SECOND); // nothing was ever written into it
  const appended = await spool.append([0], (_, seq) => payload(seq, 10));
  expect(appended, `offset ${offset}`).toEqual({ firstSeq: lastSeq + 1, lastSeq: lastSeq + 1 });
  await spool.close();
  // A second open finds a clean spool: nothing counted twice.
  const again = await Spool.open(options(dir));
  expect(again.stats(), `offset ${offset}`).toMatchObject({
    lastSeq: lastSeq + 1,
    tornTails,
    droppedRecords: 0,
  });
  expect(await readSeqs(again), `offset ${offset}`).toEqual(range(1, lastSeq + 1));
  await again.close();
  await rm(dir, { recursive: true });
}

describe('spool recovery', () => {
  it('after a crash at every byte offset of the last segment keeps the valid prefix and the next seq', async () => {
    // Each offset in its own copy of the crashed spool; eight at a time so that their fsyncs overlap.
    const offsets = range(0, 129);
    for (let group = 0; group < offsets.length; group += 8) {
      await Promise.all(offsets.slice(group, group + 8).map((offset) => crashAt(offset)));
    }
  });

  it('truncates garbage appended to the last segment', async () => {
    for (const garbage of [
      Buffer.alloc(4096),
      Buffer.from('not a record at all, just noise'),
      Buffer.from([5, 0, 0, 0]),
    ]) {
      const dir = await freshDir(crashed);
      await writeFile(path.join(dir, SECOND), garbage, { flag: 'a' });
      const spool = await Spool.open(options(dir));
      expect(spool.stats()).toMatchObject({
        lastSeq: 67,
        tornTails: 1,
        tornBytes: garbage.length,
        droppedRecords: 0,
      });
      expect(await readSeqs(spool)).toEqual(range(1, 67));
      expect((await stat(path.join(dir, SECOND))).size).toBe(129);
      await spool.close();
    }
  });

  it('keeps the valid prefix of a middle segment with a flipped bit and counts the records lost', async () => {
    const dir = await freshDir(crashed);
    // Seq 25's payload: offset 16 + 24 * R + 16 + 300 in the first segment.
    const handle = await open(path.join(dir, segmentFileName(1)), 'r+');
    const byte = Buffer.alloc(1);
    const at = 16 + 24 * R + 16 + 300;
    await handle.read(byte, 0, 1, at);
    await handle.write(Buffer.from([byte.readUInt8(0) ^ 0x10]), 0, 1, at);
    await handle.close();
    const spool = await Spool.open(options(dir));
    expect(spool.stats()).toMatchObject({ lastSeq: 67, droppedRecords: 40, tornTails: 1, tornBytes: 40 * R });
    expect(await readSeqs(spool)).toEqual([...range(1, 24), 65, 66, 67]);
    expect(await spool.append([68], (seq) => payload(seq, 10))).toEqual({ firstSeq: 68, lastSeq: 68 });
    await spool.close();
    const again = await Spool.open(options(dir));
    expect(again.stats()).toMatchObject({ droppedRecords: 40, tornTails: 1, lastSeq: 68 });
    await again.close();
  });

  it('moves a segment with a bad magic or an unknown version aside to corrupt/ and counts it', async () => {
    for (const [offset, bytes] of [
      [0, Buffer.from('XXXX')],
      [4, Buffer.from([9, 0])],
    ] as const) {
      const dir = await freshDir(crashed);
      const handle = await open(path.join(dir, segmentFileName(1)), 'r+');
      await handle.write(bytes, 0, bytes.length, offset);
      await handle.close();
      const spool = await Spool.open(options(dir));
      expect(spool.stats()).toMatchObject({ corruptFiles: 1, droppedRecords: 64, firstSeq: 65, lastSeq: 67 });
      expect(await readSeqs(spool)).toEqual([65, 66, 67]);
      const moved = await readdir(path.join(dir, 'corrupt'));
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatch(new RegExp(`-${segmentFileName(1)}$`));
      await spool.close();
    }
  });

  it('ignores stray files and moves an unreadable state file aside, deriving the seq from the segments', async () => {
    const dir = await freshDir(crashed);
    const strays = ['notes.txt', '123.seg', `${segmentFileName(1)}.bak`, '00000000000000000000.seg'];
    for (const name of strays) await writeFile(path.join(dir, name), 'stray');
    await writeFile(path.join(dir, 'state.json'), '{"version": 1, "ackedSeq": "oops"');
    const spool = await Spool.open(options(dir));
    expect(spool.stats()).toMatchObject({ corruptFiles: 1, lastSeq: 67, ackedSeq: 0, tornTails: 0 });
    expect(await readSeqs(spool)).toEqual(range(1, 67));
    await spool.close();
    for (const name of strays) expect(await readFile(path.join(dir, name), 'utf8')).toBe('stray');
  });

  it('takes the next seq from the records when the state file lags behind them', async () => {
    const dir = await freshDir(crashed);
    const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as {
      nextSeq: number;
      clean: boolean;
    };
    expect(state).toMatchObject({ nextSeq: 1, clean: false }); // written before any record
    const spool = await Spool.open(options(dir));
    expect(await spool.append([68], (seq) => payload(seq, 10))).toEqual({ firstSeq: 68, lastSeq: 68 });
    await spool.close();
  });

  it('after a host crash skips the seqs that may have been sent before they were durable', async () => {
    const dir = await freshDir(crashed);
    const file = path.join(dir, 'state.json');
    const state = JSON.parse(await readFile(file, 'utf8')) as { reservedSeq: number; bootId: string };
    await writeFile(file, JSON.stringify({ ...state, bootId: 'another-boot' }));
    const spool = await Spool.open(options(dir));
    const next = state.reservedSeq + 1;
    expect(next).toBeGreaterThan(68);
    expect(spool.stats()).toMatchObject({ skippedSeqs: next - 68, droppedRecords: 0 });
    expect(await spool.append([1], (_, seq) => payload(seq, 10))).toEqual({ firstSeq: next, lastSeq: next });
    expect((await readSeqs(spool)).slice(-2)).toEqual([67, next]);
    await spool.close();
  });

  it('counts records a clean close recorded but the disk lost, once', async () => {
    const dir = await freshDir(crashed);
    const spool = await Spool.open(options(dir));
    await spool.close(); // clean: the state file now says seqs up to 67 exist
    await truncate(path.join(dir, SECOND), 72); // at a record boundary: seqs 66 and 67 vanish, the rest is valid
    for (let open = 0; open < 2; open++) {
      const reopened = await Spool.open(options(dir));
      expect(reopened.stats()).toMatchObject({ lastSeq: 67 + open, droppedRecords: 2, tornTails: 0 });
      if (open === 0)
        expect(await reopened.append([68], (seq) => payload(seq, 10))).toEqual({ firstSeq: 68, lastSeq: 68 });
      expect(await readSeqs(reopened)).toEqual([...range(1, 65), 68]);
      await reopened.close();
    }
  });
});
