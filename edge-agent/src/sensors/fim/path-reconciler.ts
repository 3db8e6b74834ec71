import type { FileRecord } from './file-record.js';
import { depthBelow, isSameOrBelow } from './path-exclusion.js';
import type { ScanHooks, ScanStats, TreeScanner } from './tree-scanner.js';

/** What reconciling needs from the sensor. */
export interface ReconcileDeps {
  scanner: TreeScanner;
  baseline: ReadonlyMap<string, FileRecord>;
  roots: readonly string[];
  maxDepth: number;
  isExcluded(filePath: string): boolean;
  hooks: ScanHooks;
  /** Closes watches of a directory subtree that vanished or was replaced. */
  unwatchUnder(dir: string): void;
}

/** Old and new records of the paths a batch touched, ready for diffRecords and for updating the baseline. */
export interface ReconcileResult {
  previous: Map<string, FileRecord>;
  current: Map<string, FileRecord>;
}

/** The configured root `filePath` lies in, if any. */
export function rootOf(filePath: string, roots: readonly string[]): string | undefined {
  return roots.find((r) => isSameOrBelow(filePath, r));
}

/**
 * Re-stats (and re-hashes when the stat moved) each path that inotify reported, after the debounce. A path that is
 * gone takes its baseline subtree with it; a directory that is new, or replaced by another inode, is scanned as a
 * subtree (it may have been moved in with content); a known directory is only re-stat'ed, its entries having
 * watches of their own. Paths outside the roots, excluded or deeper than max_depth are ignored.
 */
export async function reconcilePaths(
  paths: readonly string[],
  deps: ReconcileDeps,
  stats: ScanStats,
): Promise<ReconcileResult> {
  const previous = new Map<string, FileRecord>();
  const current = new Map<string, FileRecord>();
  const subtreesDone: string[] = [];
  for (const p of [...new Set(paths)].sort()) {
    const root = rootOf(p, deps.roots);
    if (root === undefined) continue;
    if (p !== root && deps.isExcluded(p)) continue;
    if (depthBelow(p, root) > deps.maxDepth) continue;
    if (subtreesDone.some((d) => isSameOrBelow(p, d))) continue;

    const old = deps.baseline.get(p);
    const rec = await deps.scanner.entry(p, deps.hooks, stats);
    if (rec === null) {
      if (old) {
        previous.set(p, old);
        if (old.type === 'dir') {
          addDescendants(deps.baseline, p, previous);
          deps.unwatchUnder(p);
          subtreesDone.push(p);
        }
      }
      continue;
    }
    const replacedDir =
      old?.type === 'dir' && (rec.type !== 'dir' || old.inode !== rec.inode || old.dev !== rec.dev);
    if (replacedDir) {
      addDescendants(deps.baseline, p, previous);
      deps.unwatchUnder(p);
    }
    if (old) previous.set(p, old);
    if (rec.type === 'dir' && (old === undefined || replacedDir)) {
      const sub = new Map<string, FileRecord>();
      await deps.scanner.scan(p, root, deps.hooks, sub, stats);
      for (const [k, v] of sub) current.set(k, v);
      subtreesDone.push(p);
    } else {
      current.set(p, rec);
    }
  }
  return { previous, current };
}

function addDescendants(
  baseline: ReadonlyMap<string, FileRecord>,
  dir: string,
  out: Map<string, FileRecord>,
): void {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const [k, v] of baseline) if (k.startsWith(prefix)) out.set(k, v);
}
