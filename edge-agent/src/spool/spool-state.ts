import { readFileSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { SpoolStats } from './spool.js';

export const STATE_FILE = 'state.json';
const STATE_TMP = 'state.json.tmp';

/** The spool's cumulative counters, kept across restarts (their meaning: SpoolStats). */
type DurableCounters = Pick<
  SpoolStats,
  | 'droppedRecords'
  | 'droppedSegments'
  | 'tornTails'
  | 'tornBytes'
  | 'corruptFiles'
  | 'quarantined'
  | 'skippedSeqs'
>;

/** What the spool keeps durably besides its segments. */
export interface SpoolStateData extends DurableCounters {
  version: 1;
  /** Everything <= ackedSeq was acknowledged by the collector. */
  ackedSeq: number;
  /** A floor for the next seq (exact after a clean close). */
  nextSeq: number;
  /** Seqs up to this may have been handed out (and read by the transport) before they were on disk. */
  reservedSeq: number;
  /** True only after a clean close; false while the spool is open. */
  clean: boolean;
  /** The kernel boot id when the spool was last opened: a new one after an unclean close means the host crashed. */
  bootId: string;
  /** A gap at the tail up to this seq was already counted (so that no recovery counts it twice). */
  lossCheckedSeq: number;
}

type Check = (value: unknown) => string | undefined;

/** A value as a reason shows it: JSON, at most 40 characters. */
const shown = (value: unknown): string =>
  value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 40);

/** A counter: a whole number from `min` to 2^53-1. */
const counter =
  (min = 0): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min
      ? undefined
      : `expected a whole number from ${min} to 2^53-1, got ${shown(value)}`;

/** The check of each key of state.json; a key not listed here is ignored (and not kept). */
const STATE_CHECKS: { readonly [K in keyof SpoolStateData]-?: Check } = {
  version: (value) => (value === 1 ? undefined : `expected 1, got ${shown(value)}`),
  ackedSeq: counter(),
  nextSeq: counter(1),
  reservedSeq: counter(),
  clean: (value) => (typeof value === 'boolean' ? undefined : `expected true or false, got ${shown(value)}`),
  bootId: (value) => (typeof value === 'string' ? undefined : `expected a string, got ${shown(value)}`),
  lossCheckedSeq: counter(),
  droppedRecords: counter(),
  droppedSegments: counter(),
  tornTails: counter(),
  tornBytes: counter(),
  corruptFiles: counter(),
  quarantined: counter(),
  skippedSeqs: counter(),
};

/**
 * Checks parsed state.json content: the state, or every bad key with why (`ackedSeq: expected a whole
 * number ..., got "oops"`), one per line.
 */
export function validateState(
  json: unknown,
): { ok: true; state: SpoolStateData } | { ok: false; reason: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return {
      ok: false,
      reason: `expected a JSON object, got ${shown(json)}`,
    };
  const record = json as Record<string, unknown>;
  const state: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, check] of Object.entries(STATE_CHECKS)) {
    const problem = check(record[key]);
    if (problem) problems.push(`${key}: ${problem}`);
    else state[key] = record[key];
  }
  if (problems.length > 0) return { ok: false, reason: problems.join('\n') };
  return { ok: true, state: state as unknown as SpoolStateData };
}

/** The state of a spool that never existed. */
export function initialState(bootId: string): SpoolStateData {
  return {
    version: 1,
    ackedSeq: 0,
    nextSeq: 1,
    reservedSeq: 0,
    clean: true,
    bootId,
    lossCheckedSeq: 0,
    droppedRecords: 0,
    droppedSegments: 0,
    tornTails: 0,
    tornBytes: 0,
    corruptFiles: 0,
    quarantined: 0,
    skippedSeqs: 0,
  };
}

export type StateReadResult =
  { kind: 'ok'; state: SpoolStateData } | { kind: 'missing' } | { kind: 'invalid'; reason: string };

/** Reads and validates `dir/state.json`. */
export async function readStateFile(dir: string): Promise<StateReadResult> {
  let text: string;
  try {
    text = await readFile(path.join(dir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: (error as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `not JSON: ${(error as Error).message}` };
  }
  const checked = validateState(json);
  return checked.ok ? { kind: 'ok', state: checked.state } : { kind: 'invalid', reason: checked.reason };
}

/** The current kernel boot id (Linux), or '' where there is none: then every unclean close counts as a host crash. */
export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** fsyncs a directory so that created, renamed or removed entries in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes the state file atomically (tmp file, fsync, rename, fsync of the directory). Concurrent saves
 * coalesce: a save that arrives while another is being written is served by one more write, which takes
 * its snapshot only when it starts, so N acks in a burst cost at most two writes.
 */
export class StateStore {
  private last: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly snapshot: () => SpoolStateData,
  ) {}

  /** Resolves once a snapshot taken after this call is durable. */
  save(): Promise<void> {
    if (this.next) return this.next;
    const next = this.last
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.write(JSON.stringify(this.snapshot()));
      });
    this.next = next;
    this.last = next;
    return next;
  }

  private async write(text: string): Promise<void> {
    const tmp = path.join(this.dir, STATE_TMP);
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${text}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path.join(this.dir, STATE_FILE));
    await syncDir(this.dir);
  }
}
