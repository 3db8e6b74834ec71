import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { frameRecords, parseRecord, readSeq } from './spool-format.js';
import { syncDir } from './spool-state.js';

/** A record of the spool: its seq and the payload the encoder produced. */
export interface SpoolRecord {
  seq: number;
  payload: Buffer;
}

/** What a quarantine entry's `.json` file holds. */
export interface QuarantineMeta {
  reason: string;
  records: number;
  firstSeq: number;
  lastSeq: number;
  quarantinedAtUnixMs: number;
}

/** A quarantined batch read back (tooling, tests). */
export interface QuarantineEntry {
  meta: QuarantineMeta;
  records: SpoolRecord[];
}

const RECORDS_SUFFIX = '.records';
const META_SUFFIX = '.json';

/**
 * Writes a rejected batch to `dir` as `<time>-<firstSeq>.records` (records framed as in a segment,
 * without the segment header: seqs need not be consecutive) and `<time>-<firstSeq>.json` (reason), fsyncs
 * both, then removes the oldest entries while the directory holds more than `maxBytes`.
 * Returns the number of entries removed.
 */
export async function writeQuarantine(
  dir: string,
  records: readonly SpoolRecord[],
  reason: string,
  maxBytes: number,
): Promise<number> {
  if (records.length === 0) return 0;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const first = records[0] as SpoolRecord;
  const last = records[records.length - 1] as SpoolRecord;
  const now = Date.now();
  const stem = `${String(now).padStart(15, '0')}-${String(first.seq).padStart(20, '0')}`;
  const framed = Buffer.concat(records.map((record) => frameRecords([record.payload], record.seq)));
  const meta: QuarantineMeta = {
    reason,
    records: records.length,
    firstSeq: first.seq,
    lastSeq: last.seq,
    quarantinedAtUnixMs: now,
  };
  await writeDurably(path.join(dir, stem + RECORDS_SUFFIX), framed);
  await writeDurably(path.join(dir, stem + META_SUFFIX), Buffer.from(`${JSON.stringify(meta)}\n`));
  await syncDir(dir);
  return pruneOldest(dir, maxBytes, stem);
}

/** Reads every quarantine entry of `dir`, oldest first; entries that fail to parse are skipped. */
export async function readQuarantine(dir: string): Promise<QuarantineEntry[]> {
  const entries: QuarantineEntry[] = [];
  for (const stem of await stems(dir)) {
    try {
      const meta = JSON.parse(await readFile(path.join(dir, stem + META_SUFFIX), 'utf8')) as QuarantineMeta;
      const buffer = await readFile(path.join(dir, stem + RECORDS_SUFFIX));
      const records: SpoolRecord[] = [];
      let offset = 0;
      while (offset + 16 <= buffer.length) {
        const parsed = parseRecord(buffer, offset, readSeq(buffer, offset + 8), 0xffff_ffff);
        if (parsed.kind !== 'record') break;
        records.push({ seq: parsed.record.seq, payload: Buffer.from(parsed.record.payload) });
        offset += parsed.record.size;
      }
      entries.push({ meta, records });
    } catch {
      continue;
    }
  }
  return entries;
}

/**
 * Deletes the oldest files of `dir` (by name: names start with a time) while the directory holds more
 * than `maxBytes`, never the file or entry named `keep`. Returns the number of stems removed.
 */
export async function pruneOldest(dir: string, maxBytes: number, keep?: string): Promise<number> {
  const names = (await readdir(dir)).sort();
  const sizes = new Map<string, number>();
  let total = 0;
  for (const name of names) {
    const size = await stat(path.join(dir, name)).then(
      (info) => (info.isFile() ? info.size : 0),
      () => 0,
    );
    sizes.set(name, size);
    total += size;
  }
  const removedStems = new Set<string>();
  for (const name of names) {
    if (total <= maxBytes) break;
    const stemOf = stemFromName(name);
    if (stemOf === keep || name === keep) continue;
    await unlink(path.join(dir, name)).catch(() => undefined);
    total -= sizes.get(name) ?? 0;
    removedStems.add(stemOf);
  }
  return removedStems.size;
}

async function stems(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return [...new Set(names.filter((name) => name.endsWith(META_SUFFIX)).map(stemFromName))].sort();
}

function stemFromName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

async function writeDurably(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
