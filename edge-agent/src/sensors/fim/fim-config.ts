import path from 'node:path';
import { InosecError, type ISensorPolicy } from '@inosec/protos';

/** Paths watched when the policy lists none. */
export const DEFAULT_FIM_PATHS: readonly string[] = ['/etc', '/usr/bin', '/usr/sbin', '/root/.ssh'];
/** Exclusions applied when the policy lists none: files the system rewrites on its own. */
export const DEFAULT_FIM_EXCLUDES: readonly string[] = ['/etc/mtab', '/etc/adjtime', '/etc/random-seed'];
/** Full rescan period when the policy sets none. */
export const DEFAULT_FIM_INTERVAL_SECONDS = 3600;

/** A policy option that is not a valid value. */
export class FimConfigError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('fim_config_invalid', message, options);
  }
}

/** The FIM policy resolved to typed settings (see `resolveFimConfig` for the option names). */
export interface FimConfig {
  /** Absolute, normalised roots, without duplicates or roots nested in another root. */
  roots: string[];
  excludes: string[];
  intervalSeconds: number;
  maxFileBytes: number;
  maxDepth: number;
  crossFilesystems: boolean;
  /** Upper bound on inotify watches this sensor creates; 0 = only the kernel's limit. */
  maxWatches: number;
  debounceMs: number;
  hashConcurrency: number;
  maxFiles: number;
  /** `changed`: reuse the stored hash when inode, size, mtime and ctime are unchanged; `always`: re-hash. */
  verifyHashes: 'changed' | 'always';
  realtime: boolean;
  persistIntervalSeconds: number;
}

/**
 * Resolves `ctx.policy` for the fim sensor. `policy.options` keys (all strings):
 * `max_file_bytes` (67108864), `max_depth` (32), `cross_filesystems` (false), `max_watches` (0 = kernel limit),
 * `debounce_ms` (200), `hash_concurrency` (2), `max_files` (200000), `verify_hashes` (changed|always),
 * `realtime` (true), `persist_interval_seconds` (60). Throws FimConfigError on a malformed value.
 */
export function resolveFimConfig(policy: ISensorPolicy): FimConfig {
  const options = policy.options ?? {};
  const rawPaths = (policy.paths ?? []).filter((p) => p.trim() !== '');
  const roots = normaliseRoots(rawPaths.length > 0 ? rawPaths : DEFAULT_FIM_PATHS);
  const excludes =
    (policy.excludePaths ?? []).length > 0 ? [...(policy.excludePaths ?? [])] : [...DEFAULT_FIM_EXCLUDES];
  const verify = options['verify_hashes'] ?? 'changed';
  if (verify !== 'changed' && verify !== 'always') {
    throw new FimConfigError(`fim option verify_hashes must be "changed" or "always", got "${verify}"`);
  }
  return {
    roots,
    excludes,
    intervalSeconds: policy.intervalSeconds ? policy.intervalSeconds : DEFAULT_FIM_INTERVAL_SECONDS,
    maxFileBytes: intOption(options, 'max_file_bytes', 64 * 1024 * 1024, 0),
    maxDepth: intOption(options, 'max_depth', 32, 0),
    crossFilesystems: boolOption(options, 'cross_filesystems', false),
    maxWatches: intOption(options, 'max_watches', 0, 0),
    debounceMs: intOption(options, 'debounce_ms', 200, 0),
    hashConcurrency: intOption(options, 'hash_concurrency', 2, 1),
    maxFiles: intOption(options, 'max_files', 200_000, 1),
    verifyHashes: verify,
    realtime: boolOption(options, 'realtime', true),
    persistIntervalSeconds: intOption(options, 'persist_interval_seconds', 60, 0),
  };
}

/** Makes roots absolute and normalised, drops duplicates and roots that lie inside another root. */
export function normaliseRoots(paths: readonly string[]): string[] {
  const resolved = [...new Set(paths.map((p) => path.posix.resolve('/', p.trim())))].sort();
  const out: string[] = [];
  for (const root of resolved) {
    const covered = out.some((r) => r === '/' || root === r || root.startsWith(`${r}/`));
    if (!covered) out.push(root);
  }
  return out;
}

function intOption(options: Record<string, string>, key: string, fallback: number, min: number): number {
  const raw = options[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FimConfigError(`fim option ${key} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function boolOption(options: Record<string, string>, key: string, fallback: boolean): boolean {
  const raw = options[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new FimConfigError(`fim option ${key} must be true or false, got "${raw}"`);
}
