import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';

/** Pids of PostgreSQL server processes (postmaster and backends) whose command line names `dataDir`. */
export async function postgresProcessesOn(dataDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv[0]?.endsWith('/postgres') && argv.includes(dataDir)) pids.push(Number(entry));
  }
  return pids;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A pid that no process has, now or during the test (for a stale lock file): pid_max itself, which the
 * kernel never hands out (pids wrap below it). A free pid under pid_max could be given to the next
 * process spawned — with pid_max 32768 and busy test runs, a real appliance started by another test file.
 */
export async function deadPid(): Promise<number> {
  const max = Number((await readFile('/proc/sys/kernel/pid_max', 'utf8')).trim());
  try {
    process.kill(max, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return max;
    throw error;
  }
  throw new Error(`pid ${max} (pid_max) is alive`);
}
