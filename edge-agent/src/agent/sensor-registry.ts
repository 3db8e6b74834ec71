import { inosec, type IPolicy, type ISensorPolicy } from '@inosec/protos';
import { createAuditdSensor } from '../sensors/auditd/index.js';
import { createAuthLogSensor } from '../sensors/auth/index.js';
import { createFimSensor } from '../sensors/fim/index.js';
import { createHostMetricsSensor } from '../sensors/host-metrics/index.js';
import { createInventorySensor } from '../sensors/inventory/index.js';
import { createNetworkSensor, listListeningServices } from '../sensors/network/index.js';
import { createProcessSensor } from '../sensors/process/index.js';
import type { Sensor } from '../sensors/sensor.js';

const Kind = inosec.v1.Sensor;

export interface SensorSlot {
  kind: inosec.v1.Sensor;
  sensor: Sensor;
  policy: ISensorPolicy;
}

/** Builds the endpoint sensor for one policy entry; undefined for kinds this agent does not run. */
function build(kind: inosec.v1.Sensor, agentId: string): Sensor | undefined {
  switch (kind) {
    case Kind.SENSOR_PROCESS:
      return createProcessSensor({ entityIdSalt: agentId });
    case Kind.SENSOR_NETWORK:
      return createNetworkSensor();
    case Kind.SENSOR_FILE_INTEGRITY:
      return createFimSensor();
    case Kind.SENSOR_AUTH:
      return createAuthLogSensor();
    case Kind.SENSOR_LOG:
      return createAuditdSensor();
    case Kind.SENSOR_METRICS:
      return createHostMetricsSensor();
    case Kind.SENSOR_INVENTORY:
      return createInventorySensor({ listeningServices: () => listListeningServices() });
    default:
      return undefined;
  }
}

/** The sensors the policy enables, each with its policy entry. */
export function createSensors(policy: IPolicy, agentId: string): SensorSlot[] {
  const slots: SensorSlot[] = [];
  for (const entry of policy.sensors ?? []) {
    const kind = entry.sensor ?? Kind.SENSOR_UNSPECIFIED;
    if (!entry.enabled) continue;
    const sensor = build(kind, agentId);
    if (sensor) slots.push({ kind, sensor, policy: entry });
  }
  return slots;
}
