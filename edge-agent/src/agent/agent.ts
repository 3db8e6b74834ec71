import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Event, InosecError, inosec, type IHost, type IPolicy } from '@inosec/protos';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/agent.config.js';
import type { SensorHealth } from '../sensors/sensor.js';
import { Spool, type FsyncPolicy } from '../spool/index.js';
import type { Transport, TransportStatus } from '../transport/transport-types.js';
import { defaultPolicy, loadPolicyFile } from './default-policy.js';
import { describeHost } from './host-info.js';
import type { ControlLoop, ControlTiming } from '../control/control-loop.js';
import type { JitGovernor } from './jit-governor.js';
import { createSensors, type SensorSlot } from './sensor-registry.js';

export class AgentStartError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('agent_start_failed', message, options);
  }
}

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** Overrides the policy file and the built-in default (tests). */
  policy?: IPolicy;
  /** Overrides the sensors the policy would build (tests, benchmarks). */
  sensors?: SensorSlot[];
  host?: IHost;
  version?: string;
  /** How often status.json is rewritten. */
  statusIntervalMs?: number;
  /** Told how many events are spooled (the agent's own process, started lean: see JitGovernor). */
  jit?: JitGovernor;
  /**
   * Called when the control plane's answer needs a restart (a new signed policy was saved, a RESTART command):
   * the caller stops the agent and exits with the restart code (agent-cli EXIT.restart). Default: logged only.
   */
  onRestart?: (reason: string) => void;
  /** Overrides the control loop's timings (tests). */
  controlTiming?: Partial<ControlTiming>;
}

/** What `inosec-agent status` shows: written to <state dir>/status.json while the agent runs. */
export interface AgentStatus {
  agentId: string;
  version: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  running: boolean;
  transport: TransportStatus;
  spool: ReturnType<Spool['stats']> & { queueDepth: number };
  sensors: Array<{ name: string; health: SensorHealth; counters: Record<string, number> }>;
  process: {
    rssBytes: number;
    /** The JavaScript heap: bytes of live and not yet collected objects, and bytes the heap holds from the OS. */
    heapUsedBytes: number;
    heapTotalBytes: number;
    cpuPercent: number;
    uptimeSeconds: number;
  };
}

export interface RunningAgent {
  agentId: string;
  status(): AgentStatus;
  stop(): Promise<void>;
}

export const STATUS_FILE = 'status.json';

function fsyncPolicy(value: string): FsyncPolicy {
  if (value === 'always' || value === 'never') return value;
  return { intervalMs: Number.parseInt(value, 10) };
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  return readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new AgentStartError(`cannot read ${file}: ${error.message}`, { cause: error });
  });
}

/** The agent's identity and TLS material: the id from the config or its certificate's subject CN. */
async function identity(config: AgentConfig) {
  const stateDir = config.INOSEC_AGENT_STATE_DIR;
  const certFile = config.INOSEC_AGENT_TLS_CERT ?? path.join(stateDir, 'agent.crt');
  const keyFile = config.INOSEC_AGENT_TLS_KEY ?? path.join(stateDir, 'agent.key');
  const caFile = config.INOSEC_AGENT_TLS_CA ?? path.join(stateDir, 'ca.crt');
  const [cert, key, ca] = await Promise.all([
    readOptional(certFile),
    readOptional(keyFile),
    readOptional(caFile),
  ]);
  let agentId = config.INOSEC_AGENT_ID;
  if (cert) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(cert).subject)?.[1];
    if (agentId && cn && cn !== agentId) {
      throw new AgentStartError(`INOSEC_AGENT_ID ${agentId} differs from the certificate's subject CN ${cn}`);
    }
    agentId ??= cn;
  }
  if (!agentId) {
    throw new AgentStartError(`no agent id: enroll the agent (it writes ${certFile}) or set INOSEC_AGENT_ID`);
  }
  return { agentId, cert, key, ca, certFile, keyFile, caFile };
}

/**
 * Starts the endpoint agent: opens the spool, starts the sensors the policy enables (each event is spooled
 * before anything is sent), and ships the spool over gRPC or NATS JetStream. The status (spool depth, drops,
 * last ack, sensor health) is kept in <state dir>/status.json for `inosec-agent status`.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { config, logger } = options;
  const stateDir = config.INOSEC_AGENT_STATE_DIR;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const id = await identity(config);
  const { agentId } = id;
  // With a control plane, the signed policy it last sent (verified again) wins over the local one.
  const signedPolicy =
    options.policy === undefined && config.INOSEC_CONTROL_URL
      ? await (await import('../control/agent-control.js')).loadControlPolicy(stateDir, agentId, logger)
      : undefined;
  const policy =
    options.policy ??
    signedPolicy ??
    (config.INOSEC_AGENT_POLICY_FILE
      ? await loadPolicyFile(config.INOSEC_AGENT_POLICY_FILE)
      : defaultPolicy());
  const host = options.host ?? describeHost();
  const spool = await Spool.open({
    dir: path.join(stateDir, 'spool'),
    maxBytes: config.INOSEC_SPOOL_MAX_BYTES,
    fsync: fsyncPolicy(config.INOSEC_SPOOL_FSYNC),
    logger: logger.child({ component: 'spool' }),
  });

  const url = new URL(config.INOSEC_TRANSPORT);
  const limits = {
    maxEvents: policy.batchMaxEvents || 2_000,
    maxBytes: policy.batchMaxBytes || 1_048_576,
  };
  const common = { agentId, spool, host, limits, logger: logger.child({ component: 'transport' }) };
  let transport: Transport;
  if (url.protocol === 'grpc:' || url.protocol === 'grpcs:') {
    let tls;
    if (url.protocol === 'grpcs:') {
      if (!id.cert || !id.key || !id.ca) {
        await spool.close();
        throw new AgentStartError(
          `grpcs:// needs the agent certificate, key and CA (${id.certFile}, ${id.keyFile}, ${id.caFile}): enroll the agent first`,
        );
      }
      tls = { cert: id.cert, key: id.key, ca: id.ca };
    }
    // Each transport is loaded only when configured: the other one's client library (gRPC or NATS) is never
    // evaluated, which keeps its objects and compiled code out of the heap.
    const { GrpcTransport } = await import('../transport/grpc-transport.js');
    transport = new GrpcTransport({
      ...common,
      target: url.host,
      ...(tls ? { tls } : {}),
      compression: config.INOSEC_TRANSPORT_COMPRESSION,
    });
  } else {
    const tls = id.ca
      ? { ca: id.ca, ...(id.cert && id.key ? { cert: id.cert, key: id.key } : {}) }
      : undefined;
    const { NatsTransport, resolveNatsCredsFile } = await import('../transport/nats-transport.js');
    const credsFile = await resolveNatsCredsFile(config.INOSEC_NATS_CREDS, stateDir);
    transport = new NatsTransport({
      ...common,
      url: config.INOSEC_TRANSPORT,
      ...(tls ? { tls } : {}),
      ...(credsFile ? { credsFile } : {}),
    });
  }

  const abort = new AbortController();
  const slots = options.sensors ?? createSensors(policy, agentId);
  const counters = new Map<string, Map<string, number>>();
  /** Events each sensor produced since start, and why a sensor failed to start (the heartbeat reports both). */
  const emitted = new Map<SensorSlot, number>();
  const startFailures = new Map<SensorSlot, string>();
  const startedAt = new Date();
  let cpuBase = process.cpuUsage();
  let cpuAt = performance.now();
  let cpuPercent = 0;

  const encode = (draft: object, seq: number) => Event.encode({ ...draft, agentId, seq }).finish();
  for (const slot of slots) {
    const own = new Map<string, number>();
    counters.set(slot.sensor.name, own);
    const sensorState = path.join(stateDir, 'sensors', slot.sensor.name);
    await mkdir(sensorState, { recursive: true, mode: 0o700 });
    try {
      await slot.sensor.start({
        emit: async (events) => {
          if (events.length === 0) return;
          options.jit?.note(events.length);
          emitted.set(slot, (emitted.get(slot) ?? 0) + events.length);
          await spool.append(events, encode);
        },
        log: logger.child({ sensor: slot.sensor.name }),
        counters: { inc: (name, by = 1) => own.set(name, (own.get(name) ?? 0) + by) },
        signal: abort.signal,
        stateDir: sensorState,
        policy: slot.policy,
      });
      logger.info({ sensor: slot.sensor.name }, 'Sensor started');
    } catch (error) {
      startFailures.set(slot, (error as Error).message);
      logger.error({ err: error, sensor: slot.sensor.name }, 'Sensor failed to start; the others run');
    }
  }
  const shipping = transport.run();
  options.jit?.start();

  const status = (running = true): AgentStatus => {
    const now = performance.now();
    const cpu = process.cpuUsage(cpuBase);
    if (now - cpuAt >= 1_000) {
      cpuPercent = ((cpu.user + cpu.system) / 1000 / (now - cpuAt)) * 100;
      cpuBase = process.cpuUsage();
      cpuAt = now;
    }
    const stats = spool.stats();
    const heap = getHeapStatistics();
    return {
      agentId,
      version: options.version ?? '0.0.0',
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      updatedAt: new Date().toISOString(),
      running,
      transport: transport.status(),
      spool: { ...stats, queueDepth: Math.max(0, stats.lastSeq - stats.ackedSeq) },
      sensors: slots.map((slot) => ({
        name: slot.sensor.name,
        health: slot.sensor.health(),
        counters: Object.fromEntries(counters.get(slot.sensor.name) ?? []),
      })),
      process: {
        rssBytes: process.memoryUsage.rss(),
        heapUsedBytes: heap.used_heap_size,
        heapTotalBytes: heap.total_heap_size,
        cpuPercent: Math.round(cpuPercent * 100) / 100,
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      },
    };
  };
  const statusFile = path.join(stateDir, STATUS_FILE);
  const writeStatus = async (running = true) => {
    const tmp = `${statusFile}.tmp`;
    await writeFile(tmp, JSON.stringify(status(running), null, 2), { mode: 0o640 });
    await rename(tmp, statusFile);
  };
  const timer = setInterval(() => {
    writeStatus().catch((error: unknown) => logger.warn({ err: error }, 'Cannot write the status file'));
  }, options.statusIntervalMs ?? 2_000);
  timer.unref();
  await writeStatus();
  logger.info(
    {
      agentId,
      transport: `${url.protocol}//${url.host}`,
      sensors: slots.map((s) => s.sensor.name),
      spool: spool.stats(),
      policyVersion: policy.version ?? 0,
    },
    'Agent started',
  );

  let control: ControlLoop | undefined;
  if (config.INOSEC_CONTROL_URL) {
    // Loaded only when configured: an agent without a control plane never evaluates this code.
    const { startAgentControl } = await import('../control/agent-control.js');
    control = startAgentControl({
      url: config.INOSEC_CONTROL_URL,
      tls: { ca: id.ca, cert: id.cert, key: id.key },
      stateDir,
      agentId,
      agentVersion: options.version ?? '0.0.0',
      policy,
      logger: logger.child({ component: 'control' }),
      onRestart: options.onRestart ?? ((reason) => logger.warn({ reason }, 'Restart needed to apply it')),
      ...(options.controlTiming ? { timing: options.controlTiming } : {}),
      snapshot: () => {
        const stats = spool.stats();
        return {
          uptimeSeconds: (Date.now() - startedAt.getTime()) / 1000,
          rssBytes: process.memoryUsage.rss(),
          spool: stats,
          sensors: slots.map((slot) => {
            const failure = startFailures.get(slot);
            return {
              kind: slot.kind,
              health: failure ? { state: 'failed' as const, message: failure } : slot.sensor.health(),
              events: emitted.get(slot) ?? 0,
            };
          }),
        };
      },
    });
  }

  let stopping: Promise<void> | undefined;
  return {
    agentId,
    status: () => status(),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await control?.stop();
        options.jit?.stop();
        abort.abort();
        // Sensors flush what they observed into the spool; then the transport stops (unacknowledged
        // batches stay spooled for the next start), then the spool is closed.
        await Promise.allSettled(slots.map((slot) => slot.sensor.stop()));
        await transport.stop();
        await shipping.catch(() => undefined);
        await writeStatus(false).catch(() => undefined);
        await spool.close();
        logger.info({ spool: spool.stats() }, 'Agent stopped');
      })();
      return stopping;
    },
  };
}

/** The sensor names of a policy, for logs and `--check`. */
export function enabledSensors(policy: IPolicy): string[] {
  return (policy.sensors ?? [])
    .filter((s) => s.enabled)
    .map((s) => inosec.v1.Sensor[s.sensor ?? 0] ?? String(s.sensor));
}
