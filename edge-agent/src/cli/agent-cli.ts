import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, InosecError } from '@inosec/protos';
import { pino, type Logger } from 'pino';
import { STATUS_FILE, startAgent, type AgentStatus } from '../agent/agent.js';
import type { JitGovernor } from '../agent/jit-governor.js';
import { SyntheticSensor } from '../sensors/synthetic/synthetic-sensor.js';
import { loadAgentConfig } from '../config/agent.config.js';
import { AGENT_VERSION } from '../version.js';

/**
 * Exit codes: sysexits.h where one fits. `restart` (75, EX_TEMPFAIL): the agent stopped cleanly to apply a new
 * signed policy or a RESTART command; systemd's Restart=on-failure starts it again. `enroll` has its own codes
 * (enroll/enroll-errors.ts).
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 64,
  restart: 75,
  config: 78,
  notRunning: 3,
  interrupted: 130,
} as const;

const USAGE = `Usage: inosec-agent <command> [--config FILE]

Commands:
  enroll    enroll with the control plane: --server grpcs://HOST:PORT --token TOKEN --ca-sha256 HEX
            (inosec-agent enroll --help for the options and exit codes)
  run       run the agent: sensors → disk spool → collector (gRPC or NATS JetStream)
  status    show the running agent's spool depth, drops, last acknowledgement and sensor health
  --version print the version

--config FILE  an environment file (KEY=VALUE lines, as in .env.example) read before the environment;
               variables already set in the environment win.
run --synthetic N [--rate R]
               instead of the sensors, produce N synthetic events (0: no end) at R events/s (0: as fast as
               possible) through the same spool and transport: load tests and benchmarks.
status --json  the status as JSON.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** The process was started lean (main.ts, for `run`): `run` tells the governor the load. */
  jit?: JitGovernor;
}

function configEnv(args: string[], io: CliIo): Record<string, string | undefined> {
  const at = args.indexOf('--config');
  if (at < 0) return io.env;
  const file = args[at + 1];
  if (!file) throw new UsageError('--config needs a file');
  const fromFile = parseEnv(readFileSync(path.resolve(file), 'utf8'));
  return { ...fromFile, ...io.env };
}

class UsageError extends Error {}

const mib = (bytes: number) => (bytes / 1_048_576).toFixed(1);

function describeAge(iso: string): string {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  return seconds < 1 ? 'just now' : `${seconds} s ago`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `inosec-agent status`: reads the status file the running agent keeps, and prints it. */
async function status(env: Record<string, string | undefined>, io: CliIo, json: boolean): Promise<number> {
  const config = loadAgentConfig(env);
  const file = path.join(config.INOSEC_AGENT_STATE_DIR, STATUS_FILE);
  let current: AgentStatus;
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as AgentStatus;
  } catch {
    io.err(`No agent status at ${file}: the agent has not run with this state directory.`);
    return EXIT.notRunning;
  }
  const running = current.running && isAlive(current.pid);
  if (json) {
    io.out(JSON.stringify({ ...current, running }, null, 2));
    return running ? EXIT.ok : EXIT.notRunning;
  }
  const t = current.transport;
  const s = current.spool;
  const lines = [
    `agent ${current.agentId} (version ${current.version}): ${running ? `running, pid ${current.pid}` : 'not running'}; status from ${describeAge(current.updatedAt)}`,
    `transport  ${t.kind}, ${t.connected ? 'connected' : 'disconnected'}; last ack seq ${t.lastAckedSeq}${t.lastAckAt ? ` (${describeAge(t.lastAckAt)})` : ''}; ${t.batchesSent} batches sent, ${t.batchesRejected} rejected, ${t.reconnects} reconnects${t.lastError ? `; last error: ${t.lastError}` : ''}`,
    `spool      queue depth ${s.queueDepth} events (${s.bytes} bytes in ${s.segments} segments); last seq ${s.lastSeq}, acked ${s.ackedSeq}; dropped ${s.droppedRecords} events (${s.droppedSegments} segments); quarantined ${s.quarantined}; torn tails repaired ${s.tornTails}`,
    `process    rss ${mib(current.process.rssBytes)} MiB${current.process.heapUsedBytes === undefined ? '' : ` (JavaScript heap ${mib(current.process.heapUsedBytes)} of ${mib(current.process.heapTotalBytes)} MiB)`}, cpu ${current.process.cpuPercent}%, up ${current.process.uptimeSeconds} s`,
    ...current.sensors.map(
      (sensor) =>
        `sensor     ${sensor.name.padEnd(10)} ${sensor.health.state}${sensor.health.message ? ` (${sensor.health.message})` : ''}`,
    ),
  ];
  io.out(lines.join('\n'));
  return running ? EXIT.ok : EXIT.notRunning;
}

function numberOption(args: string[], name: string): number | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`${name} needs a whole number`);
  return value;
}

async function run(
  args: string[],
  env: Record<string, string | undefined>,
  logger: Logger,
  jit?: JitGovernor,
): Promise<number> {
  const config = loadAgentConfig(env);
  logger.level = config.LOG_LEVEL;
  const total = numberOption(args, '--synthetic');
  const sensors =
    total === undefined
      ? undefined
      : [
          {
            kind: 0,
            sensor: new SyntheticSensor({ total, rate: numberOption(args, '--rate') ?? 0 }),
            policy: { enabled: true },
          },
        ];
  let requestRestart = (reason: string): void => void reason;
  const agent = await startAgent({
    config,
    logger,
    version: AGENT_VERSION,
    ...(sensors ? { sensors } : {}),
    ...(jit ? { jit } : {}),
    onRestart: (reason) => requestRestart(reason),
  });
  return new Promise<number>((resolve) => {
    requestRestart = (reason) => {
      logger.info({ reason, exitCode: EXIT.restart }, 'Stopping the agent to restart it');
      agent.stop().then(
        () => resolve(EXIT.restart),
        (error: unknown) => {
          logger.error({ err: error }, 'The agent did not stop cleanly');
          resolve(EXIT.restart);
        },
      );
    };
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.warn({ signal }, 'Second signal: exiting without waiting');
        resolve(EXIT.interrupted);
        return;
      }
      logger.info({ signal }, 'Stopping the agent');
      agent.stop().then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          logger.error({ err: error }, 'The agent did not stop cleanly');
          resolve(EXIT.error);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** The command line. Returns the exit code; never throws. */
export async function agentCli(args: string[], io: CliIo, logger: Logger = pino()): Promise<number> {
  try {
    const [command] = args;
    if (command === '--version' || command === 'version') {
      io.out(AGENT_VERSION);
      return EXIT.ok;
    }
    if (command === 'enroll') {
      // Loaded only for this command: the running agent never evaluates the enrollment code (X.509, CSR).
      const { enrollCommand } = await import('../enroll/enroll-command.js');
      return await enrollCommand(args.slice(1), io);
    }
    if (command === 'run') return await run(args, configEnv(args, io), logger, io.jit);
    if (command === 'status') return await status(configEnv(args, io), io, args.includes('--json'));
    io.err(USAGE);
    return command === undefined || command === '--help' || command === 'help' ? EXIT.ok : EXIT.usage;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.config;
    }
    const message = error instanceof InosecError || error instanceof Error ? error.message : String(error);
    logger.fatal({ err: error }, `The agent failed: ${message}`);
    return EXIT.error;
  }
}
