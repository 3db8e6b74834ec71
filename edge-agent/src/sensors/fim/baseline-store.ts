import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { InosecError } from '@inosec/protos';
import type { FileRecord, FileType } from './file-record.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** File name of the baseline inside the sensor's state directory. */
export const BASELINE_FILE = 'fim-baseline.json.gz';
const FORMAT = 'inosec-fim-baseline';
const VERSION = 1;
const TYPES = new Set<string>(['file', 'dir', 'symlink', 'fifo', 'socket', 'block', 'char', 'unknown']);

/** The stored baseline could not be read or is not a baseline. */
export class BaselineStoreError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('fim_baseline_invalid', message, options);
  }
}

/** A baseline as stored: the roots it covered and one record per path. */
export interface StoredBaseline {
  savedUnixUs: number;
  roots: string[];
  records: Map<string, FileRecord>;
  /** Rows dropped while loading because they were malformed. */
  badRows: number;
}

type Row = [string, string, number, number, number, number, number, number, string, string, string, string];

/**
 * Writes the baseline atomically: gzip'ed JSON rows to `<file>.tmp`, fsync, rename over the file, fsync of the
 * directory. A crash leaves either the old or the new baseline, never a torn one.
 */
export async function saveBaseline(
  stateDir: string,
  roots: readonly string[],
  records: ReadonlyMap<string, FileRecord>,
  nowUs: number,
): Promise<number> {
  const rows: Row[] = [];
  for (const r of records.values()) {
    rows.push([
      r.path,
      r.type,
      r.size,
      r.mode,
      r.uid,
      r.gid,
      r.mtimeUs,
      r.ctimeUs,
      r.inode,
      r.dev,
      r.sha256 ?? '',
      r.target ?? '',
    ]);
  }
  const body = JSON.stringify({ format: FORMAT, version: VERSION, savedUnixUs: nowUs, roots, rows });
  const data = await gzipAsync(Buffer.from(body, 'utf8'), { level: 6 });
  const file = path.join(stateDir, BASELINE_FILE);
  const tmp = `${file}.tmp`;
  const handle = await fsp.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  const dir = await fsp.open(stateDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return data.length;
}

/** Reads the stored baseline; null when there is none (first start). Throws BaselineStoreError when unusable. */
export async function loadBaseline(stateDir: string): Promise<StoredBaseline | null> {
  const file = path.join(stateDir, BASELINE_FILE);
  let data: Buffer;
  try {
    data = await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BaselineStoreError(`cannot read ${file}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse((await gunzipAsync(data)).toString('utf8'));
  } catch (err) {
    throw new BaselineStoreError(`${file} is not a gzip'ed JSON baseline`, { cause: err });
  }
  return decodeBaseline(parsed, file);
}

/** Validates a parsed baseline document; malformed rows are dropped and counted, a wrong header throws. */
export function decodeBaseline(doc: unknown, source: string): StoredBaseline {
  if (typeof doc !== 'object' || doc === null) throw new BaselineStoreError(`${source}: not an object`);
  const d = doc as Record<string, unknown>;
  if (d['format'] !== FORMAT || d['version'] !== VERSION) {
    throw new BaselineStoreError(`${source}: unknown format ${String(d['format'])} v${String(d['version'])}`);
  }
  const roots = Array.isArray(d['roots']) ? d['roots'].filter((r): r is string => typeof r === 'string') : [];
  const rows = Array.isArray(d['rows']) ? (d['rows'] as unknown[]) : [];
  const records = new Map<string, FileRecord>();
  let badRows = 0;
  for (const row of rows) {
    const rec = decodeRow(row);
    if (rec) records.set(rec.path, rec);
    else badRows++;
  }
  const saved = typeof d['savedUnixUs'] === 'number' ? d['savedUnixUs'] : 0;
  return { savedUnixUs: saved, roots, records, badRows };
}

function decodeRow(row: unknown): FileRecord | null {
  if (!Array.isArray(row) || row.length !== 12) return null;
  const [p, type, size, mode, uid, gid, mtimeUs, ctimeUs, inode, dev, sha, target] = row as unknown[];
  if (typeof p !== 'string' || !p.startsWith('/') || typeof type !== 'string' || !TYPES.has(type))
    return null;
  const nums = [size, mode, uid, gid, mtimeUs, ctimeUs];
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  if (
    typeof inode !== 'string' ||
    typeof dev !== 'string' ||
    typeof sha !== 'string' ||
    typeof target !== 'string'
  ) {
    return null;
  }
  const rec: FileRecord = {
    path: p,
    type: type as FileType,
    size: size as number,
    mode: mode as number,
    uid: uid as number,
    gid: gid as number,
    mtimeUs: mtimeUs as number,
    ctimeUs: ctimeUs as number,
    inode,
    dev,
  };
  if (sha !== '') rec.sha256 = sha;
  if (target !== '') rec.target = target;
  return rec;
}
