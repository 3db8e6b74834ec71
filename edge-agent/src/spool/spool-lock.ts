import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SpoolError } from './spool-errors.js';
import { currentBootId } from './spool-state.js';

const LOCK_FILE = 'lock';
const openInThisProcess = new Set<string>();

/** Another live process (or another Spool in this one) has the spool directory open. */
export class SpoolLockedError extends SpoolError {
  constructor(dir: string, holder: string) {
    super('spool_locked', `spool ${dir} is already open (${holder})`);
  }
}

/**
 * Takes the spool directory's lock file (`lock`: pid and boot id of the holder). A lock left by a
 * process that died, or by a previous boot, is taken over. Returns the release function.
 */
export async function lockSpoolDir(dir: string): Promise<() => Promise<void>> {
  const key = path.resolve(dir);
  if (openInThisProcess.has(key)) throw new SpoolLockedError(dir, 'by this process');
  const file = path.join(dir, LOCK_FILE);
  const content = `${process.pid} ${currentBootId()}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = await readFile(file, 'utf8').catch(() => '');
      const [pidText, bootId] = holder.trim().split(' ');
      const pid = Number(pidText);
      if (bootId === currentBootId() && pid !== process.pid && isAlive(pid))
        throw new SpoolLockedError(dir, `pid ${pid}`);
      await unlink(file).catch(() => undefined);
    }
  }
  openInThisProcess.add(key);
  return async () => {
    openInThisProcess.delete(key);
    await unlink(file).catch(() => undefined);
  };
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
