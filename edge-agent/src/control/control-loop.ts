import * as grpc from '@grpc/grpc-js';
import { inosec, type IAgentCommand, type IPolicy, type ISignedPolicy } from '@inosec/protos';
import type { Logger } from 'pino';
import { CommandLedger } from './command-ledger.js';
import { ControlClient, isCallError, type ControlTls } from './control-client.js';
import type { ControlEndpoint } from './control-url.js';
import { buildHeartbeat, type AgentHealthSnapshot } from './heartbeat-report.js';
import { persistPolicy, readPolicyKeys } from './policy-store.js';
import { PolicyRejectedError, verifySignedPolicy, type PolicyKeyring } from './policy-verifier.js';

const Kind = inosec.v1.AgentCommand.Kind;

/** Timings of the control loop; the defaults are the production ones, tests shorten them. */
export interface ControlTiming {
  /** Delay of the first heartbeat after start (default: random in 1-5 s, so a fleet restart spreads out). */
  firstDelayMs: number;
  /** Heartbeat interval when neither the server nor the policy gives one (60 s). */
  defaultIntervalMs: number;
  /** Shortest interval accepted from the server (1 s). */
  minIntervalMs: number;
  /** First wait after a failed heartbeat (5 s), doubled at each failure up to maxBackoffMs (5 min). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Deadline of each call (15 s). */
  deadlineMs: number;
  /** A revoked agent (PERMISSION_DENIED / UNAUTHENTICATED) logs an error at most this often (1 h). */
  revokedLogIntervalMs: number;
}

export interface ControlLoopOptions {
  endpoint: ControlEndpoint;
  /** The agent's mTLS material: the CA bundle, its certificate chain and key. */
  tls: Required<ControlTls>;
  stateDir: string;
  agentId: string;
  agentVersion: string;
  /** The policy the agent runs now. */
  policy: IPolicy;
  /** The agent's health now (spool, sensors, process). */
  snapshot: () => AgentHealthSnapshot;
  logger: Logger;
  /**
   * Called once when the agent must restart: a verified newer policy was saved, or a RESTART command arrived.
   * The loop has stopped by then; the callee stops the agent and exits with the restart code.
   */
  onRestart: (reason: string) => void;
  timing?: Partial<ControlTiming>;
  random?: () => number;
}

/** The running heartbeat loop. */
export interface ControlLoop {
  /** Stops the loop (waiting for a call in flight to end) and closes the connection. Idempotent. */
  stop(): Promise<void>;
}

interface Outcome {
  success: boolean;
  message: string;
}

const REVOKED = new Set<number>([grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The agent's side of AgentControl after enrollment: a Heartbeat over mTLS every `next_heartbeat_seconds`
 * (±10 % jitter) with the spool, process and sensor figures; a GetPolicy when the desired policy version
 * differs from the running one, verified (Ed25519 over the exact bytes, agent id, no rollback, expiry) and
 * saved before the agent restarts to apply it; and the commands the heartbeat answer carries, each run once.
 * Failures back off exponentially to 5 minutes and never touch telemetry: the loop owns its own connection
 * and nothing it does can throw into the agent.
 */
export function startControlLoop(options: ControlLoopOptions): ControlLoop {
  const random = options.random ?? Math.random;
  const timing: ControlTiming = {
    firstDelayMs: 1_000 + random() * 4_000,
    defaultIntervalMs: 60_000,
    minIntervalMs: 1_000,
    initialBackoffMs: 5_000,
    maxBackoffMs: 300_000,
    deadlineMs: 15_000,
    revokedLogIntervalMs: 3_600_000,
    ...options.timing,
  };
  const { logger, agentId } = options;
  const client = new ControlClient(options.endpoint, options.tls, timing.deadlineMs);
  const abort = new AbortController();
  const policyIntervalMs = (options.policy.heartbeatIntervalSeconds ?? 0) * 1000;
  let intervalMs = policyIntervalMs > 0 ? policyIntervalMs : timing.defaultIntervalMs;
  let currentVersion = Number(options.policy.version ?? 0);
  let failures = 0;
  let lastRevokedLog = Number.NEGATIVE_INFINITY;
  let restarting = false;
  let keyring: PolicyKeyring | undefined;
  const refusals = new Set<string>();
  let cpuBase = process.cpuUsage();
  let cpuAt = performance.now();

  const jitter = (ms: number) => Math.round(ms * (0.9 + 0.2 * random()));

  const cpuPercent = () => {
    const now = performance.now();
    const used = process.cpuUsage(cpuBase);
    const percent = now > cpuAt ? ((used.user + used.system) / 1000 / (now - cpuAt)) * 100 : 0;
    cpuBase = process.cpuUsage();
    cpuAt = now;
    return percent;
  };

  const restart = async (ledger: CommandLedger, reason: string) => {
    restarting = true;
    await ledger
      .save()
      .catch((error: unknown) => logger.warn({ err: error }, 'Cannot save the command ledger'));
    abort.abort();
    logger.info({ reason }, 'Restarting the agent');
    options.onRestart(reason);
  };

  /** Fetches, verifies and saves the policy; a newer one restarts the agent. */
  const updatePolicy = async (): Promise<Outcome> => {
    let signed: ISignedPolicy | null | undefined;
    try {
      signed = (await client.getPolicy({ agentId, currentVersion })).policy;
    } catch (error) {
      const message = `GetPolicy failed: ${isCallError(error) ? `${grpc.status[error.code]} ${error.details}` : (error as Error).message}`;
      logger.warn({ err: error }, message);
      return { success: false, message };
    }
    try {
      keyring ??= await readPolicyKeys(options.stateDir);
      const policy = verifySignedPolicy(signed, keyring, {
        agentId,
        currentVersion,
        nowUnixUs: Date.now() * 1000,
      });
      const version = Number(policy.version);
      if (version === currentVersion) {
        return { success: true, message: `policy version ${version} is already running` };
      }
      await persistPolicy(options.stateDir, signed ?? {}, policy);
      logger.info(
        { policyVersion: version, previousVersion: currentVersion },
        'New signed policy verified and saved',
      );
      currentVersion = version;
      const message = `policy version ${version} verified and saved; the agent restarts to apply it`;
      return { success: true, message };
    } catch (error) {
      const message = `policy refused: ${(error as Error).message}`;
      // One log line per distinct refusal, not one per heartbeat: the control plane keeps offering it.
      const key = error instanceof PolicyRejectedError ? `${error.reason}:${message}` : message;
      if (!refusals.has(key)) {
        refusals.add(key);
        logger.error(
          {
            err: error,
            reason: error instanceof PolicyRejectedError ? error.reason : 'store',
            runningVersion: currentVersion,
          },
          `${message}; the running policy (version ${currentVersion}) stays`,
        );
      }
      return { success: false, message };
    }
  };

  const runCommand = async (ledger: CommandLedger, command: IAgentCommand): Promise<void> => {
    const id = command.id ?? '';
    if (!id || ledger.has(id)) return;
    const expires = Number(command.expiresUnixUs ?? 0);
    if (expires > 0 && expires <= Date.now() * 1000) {
      ledger.record(id, false, 'expired before it reached the agent');
      return;
    }
    switch (command.kind) {
      case Kind.KIND_REFRESH_POLICY: {
        const outcome = await updatePolicy();
        ledger.record(id, outcome.success, outcome.message);
        return;
      }
      case Kind.KIND_RESTART:
        ledger.record(id, true, 'restarting');
        return;
      default:
        ledger.record(
          id,
          false,
          `command ${Kind[command.kind ?? 0] ?? command.kind} is not supported by agent ${options.agentVersion}`,
        );
    }
  };

  /** One heartbeat and what its answer asks for; returns the wait before the next one. */
  const tick = async (ledger: CommandLedger): Promise<number> => {
    const results = ledger.results();
    let response;
    try {
      response = await client.heartbeat(
        buildHeartbeat({
          agentId,
          agentVersion: options.agentVersion,
          snapshot: options.snapshot(),
          cpuPercent: cpuPercent(),
          policy: { ...options.policy, version: currentVersion },
          commandResults: results,
        }),
      );
    } catch (error) {
      const wait = Math.min(timing.maxBackoffMs, timing.initialBackoffMs * 2 ** failures);
      failures++;
      if (isCallError(error) && REVOKED.has(error.code)) {
        if (performance.now() - lastRevokedLog >= timing.revokedLogIntervalMs) {
          lastRevokedLog = performance.now();
          logger.error(
            { code: grpc.status[error.code], details: error.details },
            'The control plane refuses this agent (revoked or unknown certificate); telemetry is refused too. Re-enroll the agent.',
          );
        }
        return jitter(timing.maxBackoffMs);
      }
      logger.warn(
        {
          reason: isCallError(error)
            ? `${grpc.status[error.code]}: ${error.details}`
            : (error as Error).message,
          failures,
          retryInMs: wait,
        },
        'Heartbeat failed',
      );
      return jitter(wait);
    }
    failures = 0;
    ledger.delivered(results);
    const next = response.nextHeartbeatSeconds;
    if (next > 0) intervalMs = Math.max(timing.minIntervalMs, Math.min(86_400_000, next * 1000));
    for (const command of response.commands) {
      if (abort.signal.aborted) break;
      await runCommand(ledger, command);
      if (command.kind === Kind.KIND_RESTART && ledger.has(command.id ?? '')) {
        await restart(ledger, `RESTART command ${command.id}`);
        return 0;
      }
      if (currentVersion !== Number(options.policy.version ?? 0)) break;
    }
    const desired = Number(response.desiredPolicyVersion);
    if (!restarting && desired !== 0 && desired !== currentVersion) await updatePolicy();
    if (!restarting && currentVersion !== Number(options.policy.version ?? 0)) {
      await restart(ledger, `policy version ${currentVersion}`);
      return 0;
    }
    if (ledger.results().length > 0 || results.length > 0) {
      await ledger
        .save()
        .catch((error: unknown) => logger.warn({ err: error }, 'Cannot save the command ledger'));
    }
    return jitter(intervalMs);
  };

  const running = (async () => {
    const ledger = await CommandLedger.load(options.stateDir);
    let wait = timing.firstDelayMs;
    while (!abort.signal.aborted) {
      await sleep(wait, abort.signal);
      if (abort.signal.aborted) break;
      try {
        wait = await tick(ledger);
      } catch (error) {
        logger.error({ err: error }, 'Control loop error');
        wait = jitter(timing.maxBackoffMs);
      }
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'The control loop ended'));

  logger.info(
    { control: options.endpoint.url, policyVersion: currentVersion },
    'Control-plane heartbeats started',
  );
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await running;
        client.close();
      })();
      return stopping;
    },
  };
}
