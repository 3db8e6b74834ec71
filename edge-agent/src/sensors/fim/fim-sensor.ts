import { promises as fsp } from 'node:fs';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { nowUnixUs } from '../sensor.js';
import { diffRecords, type FileChange } from './baseline-diff.js';
import { BaselineStoreError, loadBaseline, saveBaseline } from './baseline-store.js';
import { ChangeDebouncer } from './change-debouncer.js';
import {
  fileChangeToEvent,
  FIM_SENSOR_NAME,
  scanSummaryToEvent,
  type ScanSummary,
} from './file-event-builder.js';
import { HashPool } from './file-hasher.js';
import type { FileRecord } from './file-record.js';
import { normaliseRoots, resolveFimConfig, type FimConfig } from './fim-config.js';
import { IdNameResolver } from './id-name-resolver.js';
import { compileExclusions, depthBelow } from './path-exclusion.js';
import { reconcilePaths, rootOf } from './path-reconciler.js';
import { emptyScanStats, TreeScanner, type ScanHooks, type ScanStats } from './tree-scanner.js';
import { WatchManager } from './watch-manager.js';

const EMIT_CHUNK = 256;
/** Past this many paths waiting for their debounce, events are dropped and one full rescan is run instead. */
const MAX_PENDING_PATHS = 50_000;

/** Construction options of the fim sensor (the policy comes with the context at start). */
export interface FimSensorOptions {
  /** Where uid/gid names come from (tests point these at crafted files). */
  passwdPath?: string;
  groupPath?: string;
}

/**
 * File integrity monitoring: a hashed baseline of the policy paths, persisted in the state directory and compared at
 * each start (changes made while the agent was stopped are reported), real-time changes through one inotify watch per
 * directory (debounced per path, then re-stat'ed and re-hashed), and a periodic full rescan that catches anything
 * the watches missed or could not cover (watch limit). The first start ever only records the baseline: it reports no
 * FileEvent, one summary LogEvent instead (as every baseline and rescan does).
 */
export class FimSensor implements Sensor {
  readonly name = FIM_SENSOR_NAME;
  private ctx: SensorContext | undefined;
  private config: FimConfig | undefined;
  private scanner: TreeScanner | undefined;
  private watches: WatchManager | undefined;
  private debouncer: ChangeDebouncer | undefined;
  private readonly names: IdNameResolver;
  private baseline = new Map<string, FileRecord>();
  private isExcluded: (p: string) => boolean = () => false;
  private lock: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private timers: NodeJS.Timeout[] = [];
  private ready: Promise<void> = Promise.resolve();
  private baselineComplete = false;
  private dirty = false;
  private rescanQueued = false;
  private stopped = false;
  private failure: string | undefined;
  private limitReason: string | undefined;
  private truncated = false;
  private readonly countedUnwatched = new Set<string>();

  constructor(options: FimSensorOptions = {}) {
    this.names = new IdNameResolver(options.passwdPath, options.groupPath);
  }

  async start(ctx: SensorContext): Promise<void> {
    this.ctx = ctx;
    const config = resolveFimConfig(ctx.policy);
    config.roots = normaliseRoots(await Promise.all(config.roots.map(realRoot)));
    this.config = config;
    this.isExcluded = compileExclusions([...config.excludes, ctx.stateDir]);
    this.scanner = new TreeScanner(
      { ...config, isExcluded: this.isExcluded },
      new HashPool(config.hashConcurrency),
    );
    this.watches = new WatchManager(config.maxWatches, {
      onPath: (p) => this.onPath(p),
      onLimit: (reason) => {
        this.limitReason = reason;
        ctx.counters.inc('fim.watch_limit_reached');
        ctx.log.warn({ reason }, 'fim watch limit reached: remaining directories rely on rescans');
      },
      onError: (dir, err) => {
        ctx.counters.inc('fim.watch_errors');
        ctx.log.debug({ dir, err }, 'fim watch failed');
      },
    });
    this.debouncer = new ChangeDebouncer(config.debounceMs, (paths) => this.onChanged(paths));
    await this.names.reload();
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
    this.ready = this.exclusive(() => this.scanAll('baseline'));
    const every = (seconds: number, fn: () => void): void => {
      if (seconds <= 0) return;
      const t = setInterval(fn, seconds * 1000);
      t.unref();
      this.timers.push(t);
    };
    every(config.intervalSeconds, () => {
      if (!this.rescanQueued) void this.rescanNow();
    });
    every(config.persistIntervalSeconds, () => void this.exclusive(() => this.persist()));
  }

  /** Resolves when the start-up baseline (and restart comparison) is done. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Runs a full rescan now (also what the periodic timer does); resolves when its events are emitted. */
  rescanNow(): Promise<void> {
    this.rescanQueued = true;
    return this.exclusive(async () => {
      this.rescanQueued = false;
      await this.scanAll('rescan');
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.debouncer?.stop();
    this.watches?.closeAll();
    await this.lock;
    await this.persist();
  }

  health(): SensorHealth {
    if (this.failure !== undefined) return { state: 'failed', message: this.failure };
    const unwatched = this.watches?.unwatched.size ?? 0;
    if (this.limitReason !== undefined && unwatched > 0) {
      return {
        state: 'degraded',
        message: `${this.limitReason}: ${unwatched} directories covered by the periodic rescan only`,
      };
    }
    if (this.truncated) return { state: 'degraded', message: `max_files=${this.config?.maxFiles} reached` };
    return { state: 'running' };
  }

  /** An inotify event: debounce it, or when a storm overflows the queue, fall back to one rescan. */
  private onPath(p: string): void {
    const debouncer = this.debouncer;
    if (!debouncer) return;
    if (debouncer.pending < MAX_PENDING_PATHS) {
      debouncer.touch(p);
      return;
    }
    if (this.rescanQueued) return;
    this.ctx?.counters.inc('fim.event_overflow');
    this.ctx?.log.warn('fim event storm: falling back to a full rescan');
    void this.rescanNow();
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.lock.then(fn, fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private hooks(previous?: ReadonlyMap<string, FileRecord>): ScanHooks {
    const ctx = this.ctx;
    return {
      previous,
      signal: this.abort.signal,
      onDirectory: (dir) => {
        if (!this.config?.realtime || !this.watches) return;
        if (this.watches.add(dir) === 'limit' && !this.countedUnwatched.has(dir)) {
          this.countedUnwatched.add(dir);
          ctx?.counters.inc('fim.unwatched_dirs');
        }
      },
      onError: (kind, filePath, err) => {
        ctx?.counters.inc(`fim.${kind}_errors`);
        ctx?.log.debug({ path: filePath, err }, `fim ${kind} failed`);
      },
    };
  }

  /** Baseline at start (compared with the stored one when present) or periodic rescan against the current one. */
  private async scanAll(kind: 'baseline' | 'rescan'): Promise<void> {
    const ctx = this.ctx;
    const config = this.config;
    if (!ctx || !config || !this.scanner || this.stopped) return;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let stored: ReadonlyMap<string, FileRecord> | undefined;
    let storedRoots: readonly string[] = config.roots;
    if (kind === 'baseline') {
      const loaded = await this.loadStored();
      stored = loaded?.records;
      storedRoots = loaded?.roots ?? [];
    } else {
      stored = this.baseline;
      await this.names.reload();
      if (this.watches?.retryUnwatched() === 0) this.limitReason = undefined;
    }
    const records = new Map<string, FileRecord>();
    const stats = emptyScanStats();
    try {
      for (const root of config.roots) {
        await this.scanner.scan(root, root, this.hooks(stored), records, stats);
        if (config.realtime) this.watches?.addAnchor(root);
      }
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.failure = `fim ${kind} failed: ${String(err)}`;
      ctx.counters.inc('fim.scan_failures');
      ctx.log.error({ err }, 'fim scan failed');
      return;
    }
    this.truncated = stats.truncated;
    this.failure = undefined;
    const changes = stored ? this.compare(stored, storedRoots, records, stats.truncated) : [];
    this.baseline = records;
    this.baselineComplete = true;
    this.dirty = true;
    this.pruneWatches();
    this.count(stats, kind);
    const summary: ScanSummary = {
      kind: kind === 'baseline' && stored ? 'restart_compare' : kind,
      roots: config.roots,
      ...stats,
      changes: changes.length,
      durationMs: Math.round(performance.now() - t0),
      cpuMs: cpuMsSince(cpu0),
      watches: this.watches?.size ?? 0,
      unwatchedDirs: this.watches?.unwatched.size ?? 0,
    };
    ctx.log.info(summary, 'fim scan done');
    await this.emitChanges(changes, [scanSummaryToEvent(summary, nowUnixUs())]);
    await this.persist();
  }

  /** Changes between a stored view and a fresh scan, limited to what both cover. */
  private compare(
    stored: ReadonlyMap<string, FileRecord>,
    storedRoots: readonly string[],
    records: ReadonlyMap<string, FileRecord>,
    truncated: boolean,
  ): FileChange[] {
    const config = this.config;
    if (!config) return [];
    const common = config.roots.filter((r) => storedRoots.includes(r));
    const inScope = (p: string): boolean => {
      const root = rootOf(p, common);
      return (
        root !== undefined && (p === root || !this.isExcluded(p)) && depthBelow(p, root) <= config.maxDepth
      );
    };
    const before = new Map<string, FileRecord>();
    for (const [k, v] of stored) if (inScope(k)) before.set(k, v);
    const after = new Map<string, FileRecord>();
    for (const [k, v] of records) if (inScope(k)) after.set(k, v);
    const changes = diffRecords(before, after);
    // A truncated scan did not see the whole tree: what it missed is not evidence of a deletion.
    return truncated ? changes.filter((c) => c.action !== 'deleted') : changes;
  }

  private async loadStored(): Promise<Awaited<ReturnType<typeof loadBaseline>>> {
    const ctx = this.ctx;
    try {
      const loaded = await loadBaseline(ctx?.stateDir ?? '');
      if (loaded && loaded.badRows > 0) ctx?.counters.inc('fim.baseline_bad_rows', loaded.badRows);
      return loaded;
    } catch (err) {
      if (!(err instanceof BaselineStoreError)) throw err;
      ctx?.counters.inc('fim.baseline_invalid');
      ctx?.log.warn({ err }, 'fim stored baseline unusable: starting a new one');
      return null;
    }
  }

  /** Debounced inotify paths: re-stat, diff against the baseline, emit, update the baseline. */
  private onChanged(paths: string[]): Promise<void> {
    return this.exclusive(async () => {
      const ctx = this.ctx;
      const config = this.config;
      if (!ctx || !config || !this.scanner || !this.baselineComplete || this.stopped) return;
      const stats = emptyScanStats();
      try {
        const { previous, current } = await reconcilePaths(
          paths,
          {
            scanner: this.scanner,
            baseline: this.baseline,
            roots: config.roots,
            maxDepth: config.maxDepth,
            isExcluded: this.isExcluded,
            hooks: this.hooks(this.baseline),
            unwatchUnder: (dir) => this.watches?.removeUnder(dir),
          },
          stats,
        );
        const changes = diffRecords(previous, current);
        for (const k of previous.keys()) this.baseline.delete(k);
        for (const [k, v] of current) this.baseline.set(k, v);
        if (changes.length > 0) this.dirty = true;
        if (changes.some((c) => this.names.sources.includes(c.path))) await this.names.reload();
        ctx.counters.inc('fim.realtime_paths', paths.length);
        await this.emitChanges(changes, []);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        ctx.counters.inc('fim.realtime_errors');
        ctx.log.warn({ err }, 'fim real-time check failed; the next rescan covers it');
      }
    });
  }

  private async emitChanges(changes: readonly FileChange[], extra: readonly EventDraft[]): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const now = nowUnixUs();
    const events = changes.map((c) => fileChangeToEvent(c, this.names, now));
    for (const c of changes) ctx.counters.inc(`fim.${c.action}`);
    events.push(...extra);
    for (let i = 0; i < events.length; i += EMIT_CHUNK) {
      try {
        await ctx.emit(events.slice(i, i + EMIT_CHUNK));
      } catch (err) {
        ctx.counters.inc('fim.emit_errors');
        ctx.log.warn({ err }, 'fim could not hand events to the agent');
        return;
      }
    }
  }

  private async persist(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !this.config || !this.dirty || !this.baselineComplete) return;
    try {
      const bytes = await saveBaseline(ctx.stateDir, this.config.roots, this.baseline, nowUnixUs());
      this.dirty = false;
      ctx.log.debug({ bytes, records: this.baseline.size }, 'fim baseline saved');
    } catch (err) {
      ctx.counters.inc('fim.baseline_save_errors');
      ctx.log.warn({ err }, 'fim could not save its baseline');
    }
  }

  /** Closes watches of directories the last scan no longer found. */
  private pruneWatches(): void {
    if (!this.watches) return;
    for (const dir of this.watches.watchedDirs()) {
      if (this.baseline.get(dir)?.type !== 'dir') this.watches.removeUnder(dir);
    }
  }

  private count(stats: ScanStats, kind: 'baseline' | 'rescan'): void {
    const c = this.ctx?.counters;
    if (!c) return;
    c.inc(`fim.${kind}s`);
    c.inc('fim.files_scanned', stats.files + stats.directories);
    c.inc('fim.files_hashed', stats.hashed);
    c.inc('fim.hash_skipped_large', stats.skippedLarge);
    if (stats.skippedOtherFs > 0) c.inc('fim.skipped_other_fs', stats.skippedOtherFs);
    if (stats.truncated) c.inc('fim.truncated');
  }
}

/** A new fim sensor. */
export function createFimSensor(options?: FimSensorOptions): FimSensor {
  return new FimSensor(options);
}

async function realRoot(root: string): Promise<string> {
  try {
    return await fsp.realpath(root);
  } catch {
    return root;
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return Math.round((d.user + d.system) / 1000);
}
