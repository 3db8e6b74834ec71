import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive, processArgv, waitForExit } from '@inosec/collector';
import type { Logger } from '../logging/logger.js';

/** The built agent CLI of the edge-agent workspace, the same path from src/ and dist/. */
export const AGENT_MAIN = fileURLToPath(new URL('../../../edge-agent/dist/cli/main.js', import.meta.url));

export interface LocalAgentOptions {
  stateDir: string;
  /** Values of the agent's environment file (INOSEC_TRANSPORT, TLS paths, ...). */
  env: Record<string, string>;
  logger: Logger;
  stopTimeoutMs: number;
  /** The agent executable: a single binary, or (default) Node running the built CLI. */
  command?: { file: string; args: string[] };
}

export interface LocalAgent {
  pid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * An agent left running by a supervisor that was killed (kill -9 leaves its process group alive) holds the
 * spool lock: stop it first, as the embedded PostgreSQL's orphan is stopped.
 */
async function stopOrphan(stateDir: string, logger: Logger): Promise<void> {
  let pid: number | undefined;
  try {
    pid = (JSON.parse(await readFile(path.join(stateDir, 'status.json'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return;
  }
  if (!pid || !isProcessAlive(pid)) return;
  const argv = await processArgv(pid);
  if (!argv?.some((arg) => arg.includes('inosec-agent') || arg === AGENT_MAIN)) return;
  logger.warn({ pid }, 'A local agent from a previous run is still running; stopping it');
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, 10_000))) process.kill(pid, 'SIGKILL');
}

/**
 * The appliance's own agent, watching this host: the real edge agent in its own process (and process
 * group, so a terminal's Ctrl-C reaches the supervisor, which stops it in order). Restarted with a backoff
 * if it dies; its JSON log lines are passed through.
 */
export async function startLocalAgent(options: LocalAgentOptions): Promise<LocalAgent> {
  const { logger } = options;
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const configFile = path.join(options.stateDir, 'agent.env');
  const lines = Object.entries({ INOSEC_AGENT_STATE_DIR: options.stateDir, ...options.env }).map(
    ([key, value]) => `${key}=${value}`,
  );
  await writeFile(configFile, `# Written by the appliance at each start.\n${lines.join('\n')}\n`, {
    mode: 0o600,
  });
  const command = options.command ?? { file: process.execPath, args: [AGENT_MAIN] };
  if (!options.command && !existsSync(AGENT_MAIN)) {
    throw new Error(`the agent is not built (${AGENT_MAIN} is missing): run npm run build`);
  }

  await stopOrphan(options.stateDir, logger);
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;
  const launch = () => {
    const proc = spawn(command.file, [...command.args, 'run', '--config', configFile], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    proc.stdout?.pipe(process.stdout, { end: false });
    proc.stderr?.pipe(process.stderr, { end: false });
    const startedAt = Date.now();
    proc.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt > 60_000) restarts = 0;
      const delay = Math.min(30_000, 1_000 * 2 ** restarts++);
      logger.error({ code, signal, restartInMs: delay }, 'The local agent exited; restarting it');
      timer = setTimeout(launch, delay);
    });
    proc.once('error', (error) => logger.error({ err: error }, 'The local agent could not be started'));
    child = proc;
  };
  launch();
  logger.info({ pid: child?.pid, stateDir: options.stateDir }, 'Local agent started');

  return {
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const killer = setTimeout(() => {
        logger.warn('The local agent did not stop in time; killing it');
        proc.kill('SIGKILL');
      }, options.stopTimeoutMs);
      await exited;
      clearTimeout(killer);
    },
  };
}
