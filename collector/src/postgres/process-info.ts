import { readFile } from 'node:fs/promises';

/** True when a process with this pid exists (also when it belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The argv of a live process, from /proc; undefined when it is gone or unreadable. */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part.length > 0);
  } catch {
    return undefined;
  }
}

/** Resolves when the process has exited, or false after `timeoutMs`. Works for non-child processes. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Stops a PostgreSQL server the way its documentation orders: fast shutdown (SIGINT: roll back,
 * checkpoint), then immediate shutdown (SIGQUIT: WAL recovery at the next start) after
 * `fastTimeoutMs`, then SIGKILL. Resolves true once the process is gone.
 */
export async function shutdownPostgres(
  pid: number,
  fastTimeoutMs: number,
  onEscalate: (signal: NodeJS.Signals) => void = () => undefined,
): Promise<boolean> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', fastTimeoutMs],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [index, [signal, waitMs]] of steps.entries()) {
    if (index > 0) onEscalate(signal);
    try {
      process.kill(pid, signal);
    } catch {
      return !isProcessAlive(pid); // already gone (ESRCH)
    }
    if (await waitForExit(pid, waitMs)) return true;
  }
  return false;
}
