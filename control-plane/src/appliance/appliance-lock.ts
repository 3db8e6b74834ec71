import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { InosecError } from '@inosec/protos';
import { isProcessAlive, processArgv } from './process-info.js';

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
 * manage one PostgreSQL cluster. A lock left by a crashed run (its pid gone, or reused by a process
 * that is not an appliance supervisor) is taken over.
 */
export class ApplianceLock {
  private constructor(readonly file: string) {}

  static async acquire(dataDir: string): Promise<ApplianceLock> {
    const file = path.join(dataDir, 'appliance.pid');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const handle = await open(file, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return new ApplianceLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (pid !== process.pid && isProcessAlive(pid)) {
        const argv = await processArgv(pid);
        if (argv?.some((arg) => APPLIANCE_ENTRY.test(arg)) === true)
          throw new ApplianceLockedError(file, pid);
      }
      await rm(file, { force: true });
    }
    throw new Error(`could not acquire ${file}`);
  }

  async stop(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
