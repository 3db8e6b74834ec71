import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InosecError } from '@inosec/protos';
import { isProcessAlive, processArgv } from '@inosec/collector';

/** The supervisor's entry point as it appears in its argv (built or source). */
const APPLIANCE_ENTRY = /appliance[/\\]main\.[jt]s$/;

export class ApplianceLockedError extends InosecError {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      'appliance_locked',
      `Another InoSec appliance (pid ${pid}) is running on this data directory (${lockFile}). Stop it first, or set INOSEC_DATA_DIR to another directory.`,
    );
  }
}

/**
 * An exclusive lock on the data directory, held for the supervisor's lifetime: two appliances never
 * manage one PostgreSQL cluster. The lock file appears atomically with its content (written to a
 * temporary file, then hard-linked into place, which fails if the lock exists). A lock left by a
 * crashed run (its pid gone, or reused by a process that is not an appliance supervisor) is broken
 * only by the holder of a second, short-lived lock (`appliance.pid.break`), which re-checks the
 * holder before removing it: racing starts cannot remove each other's fresh lock.
 */
export class ApplianceLock {
  private constructor(readonly file: string) {}

  static async acquire(dataDir: string): Promise<ApplianceLock> {
    const file = path.join(dataDir, 'appliance.pid');
    const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(mine, `${process.pid}\n`, { mode: 0o600 });
    try {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        if (await tryLink(mine, file)) return new ApplianceLock(file);
        const holder = await readPid(file);
        if (holder !== undefined && (await isLiveAppliance(holder)))
          throw new ApplianceLockedError(file, holder);
        // Stale (or just released): break it under the breaker lock, then try again.
        const breaker = `${file}.break`;
        if (await tryLink(mine, breaker)) {
          try {
            const current = await readPid(file);
            if (current !== undefined && !(await isLiveAppliance(current))) await rm(file, { force: true });
          } finally {
            await rm(breaker, { force: true });
          }
        } else {
          const breakerPid = await readPid(breaker);
          // A breaker left by a start that crashed while breaking: remove it.
          if (breakerPid !== undefined && !isProcessAlive(breakerPid)) await rm(breaker, { force: true });
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      throw new Error(`could not acquire ${file}: it keeps changing`);
    } finally {
      await rm(mine, { force: true });
    }
  }

  async stop(): Promise<void> {
    if ((await readPid(this.file)) === process.pid) await rm(this.file, { force: true });
  }
}

/** Hard-links `from` to `to`; false when `to` exists. */
async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) ? pid : -1;
}

async function isLiveAppliance(pid: number): Promise<boolean> {
  if (pid === process.pid || !isProcessAlive(pid)) return false;
  const argv = await processArgv(pid);
  return argv?.some((arg) => APPLIANCE_ENTRY.test(arg)) === true;
}
