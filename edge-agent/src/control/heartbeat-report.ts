import { inosec, type ICommandResult, type IHeartbeatRequest, type IPolicy } from '@inosec/protos';
import type { SensorHealth } from '../sensors/sensor.js';

const State = inosec.v1.SensorStatus.State;

/** What the running agent knows about itself when a heartbeat is due (agent.ts builds it). */
export interface AgentHealthSnapshot {
  uptimeSeconds: number;
  rssBytes: number;
  spool: {
    /** Bytes of the spool on disk. */
    bytes: number;
    /** Events on disk not yet acknowledged by a collector. */
    pending: number;
    /** Events dropped since the agent started (spool bound reached). */
    droppedRecords: number;
    lastSeq: number;
    ackedSeq: number;
  };
  /** The sensors the agent started: their kind, health and the events each produced since start. */
  sensors: Array<{ kind: number; health: SensorHealth; events: number }>;
}

const STATE_OF: Record<SensorHealth['state'], inosec.v1.SensorStatus.State> = {
  running: State.STATE_RUNNING,
  degraded: State.STATE_DEGRADED,
  failed: State.STATE_FAILED,
};

/**
 * The HeartbeatRequest for a snapshot: spool and process figures, the policy version, every sensor the
 * policy lists (those it turns off as DISABLED, those it enables that this agent cannot run as FAILED).
 */
export function buildHeartbeat(input: {
  agentId: string;
  agentVersion: string;
  snapshot: AgentHealthSnapshot;
  cpuPercent: number;
  policy: IPolicy;
  commandResults: ICommandResult[];
  nowMs?: number;
}): IHeartbeatRequest {
  const { snapshot, policy } = input;
  const started = new Map(snapshot.sensors.filter((s) => s.kind !== 0).map((s) => [s.kind, s]));
  const sensors = [...started.values()].map((s) => ({
    sensor: s.kind,
    state: STATE_OF[s.health.state],
    message: s.health.message ?? '',
    events: s.events,
  }));
  for (const entry of policy.sensors ?? []) {
    const kind = entry.sensor ?? 0;
    if (kind === 0 || started.has(kind)) continue;
    sensors.push(
      entry.enabled
        ? { sensor: kind, state: State.STATE_FAILED, message: 'not run by this agent', events: 0 }
        : { sensor: kind, state: State.STATE_DISABLED, message: '', events: 0 },
    );
  }
  return {
    agentId: input.agentId,
    agentVersion: input.agentVersion,
    uptimeSeconds: Math.max(0, Math.round(snapshot.uptimeSeconds)),
    timeUnixUs: (input.nowMs ?? Date.now()) * 1000,
    spoolBytes: snapshot.spool.bytes,
    spoolEvents: snapshot.spool.pending,
    droppedEvents: snapshot.spool.droppedRecords,
    lastSeq: snapshot.spool.lastSeq,
    lastAckedSeq: snapshot.spool.ackedSeq,
    cpuPercent: Math.round(input.cpuPercent * 100) / 100,
    memoryRssBytes: snapshot.rssBytes,
    policyVersion: Number(policy.version ?? 0),
    sensors,
    commandResults: input.commandResults,
  };
}
