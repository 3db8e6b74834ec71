import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isProcessAlive, processArgv, shutdownPostgres } from './process-info.js';

/** What was found in a PostgreSQL data directory's `postmaster.pid` before start. */
export type LockState = { kind: 'none' } | { kind: 'stale'; pid: number } | { kind: 'orphan'; pid: number };

/** Reads `postmaster.pid` and classifies it: no lock, a stale file, or a live server on this directory. */
export async function inspectPostmasterLock(dataDir: string): Promise<LockState> {
  let content: string;
  try {
    content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!isProcessAlive(pid)) return { kind: 'stale', pid };
  const argv = await processArgv(pid);
  // A live postgres whose -D names this directory is our cluster, left running by a crashed supervisor.
  // Anything else holding that pid is an unrelated process that reused it.
  const dIndex = argv?.indexOf('-D') ?? -1;
  const isOurServer =
    argv !== undefined &&
    path.basename(argv[0] ?? '') === 'postgres' &&
    dIndex >= 0 &&
    path.resolve(argv[dIndex + 1] ?? '') === path.resolve(dataDir);
  return isOurServer ? { kind: 'orphan', pid } : { kind: 'stale', pid };
}

/**
 * Makes a data directory startable after a crash. The caller holds the appliance lock, so no other
 * appliance owns this cluster: a live server on it is an orphan and is shut down (fast shutdown, which
 * rolls back open transactions and checkpoints), and a lock file naming a dead or unrelated process is
 * removed. Each case is logged in words an operator can act on.
 */
export async function recoverPostmasterLock(
  dataDir: string,
  logger: Logger,
  timeoutMs: number,
): Promise<LockState> {
  const state = await inspectPostmasterLock(dataDir);
  if (state.kind === 'stale') {
    logger.warn(
      { pid: state.pid, dataDir },
      `Recovered a stale PostgreSQL lock: postmaster.pid names pid ${state.pid}, which is not a PostgreSQL server on this data directory (the previous run crashed). Removed the lock file; PostgreSQL will replay its WAL.`,
    );
    await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
  } else if (state.kind === 'orphan') {
    logger.warn(
      { pid: state.pid, dataDir },
      `Found PostgreSQL (pid ${state.pid}) still running from a previous appliance run that did not stop cleanly; shutting it down before starting.`,
    );
    if (!(await shutdownPostgres(state.pid, timeoutMs))) {
      throw new Error(
        `PostgreSQL pid ${state.pid} on ${dataDir} did not stop; stop it by hand and start again`,
      );
    }
  }
  return state;
}
