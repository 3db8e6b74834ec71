import { readFile } from 'node:fs/promises';
import { inosec, InosecError, type IPolicy } from '@inosec/protos';

const Sensor = inosec.v1.Sensor;

export class PolicyFileError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('policy_invalid', message, options);
  }
}

/**
 * The policy an agent runs until the control plane sends a signed one: every endpoint sensor on, with the
 * intervals the peers use (processes every second, connections every 5 s, metrics every 10 s, a file
 * integrity rescan every hour, inventory daily), batches of at most 2,000 events / 1 MiB.
 * SENSOR_LOG is the auditd sensor (it tails /var/log/audit/audit.log); SENSOR_AUTH the auth log.
 */
export function defaultPolicy(): IPolicy {
  return {
    version: 0,
    sensors: [
      { sensor: Sensor.SENSOR_PROCESS, enabled: true, intervalSeconds: 1 },
      { sensor: Sensor.SENSOR_NETWORK, enabled: true, intervalSeconds: 5 },
      {
        sensor: Sensor.SENSOR_FILE_INTEGRITY,
        enabled: true,
        intervalSeconds: 3_600,
        paths: ['/etc', '/usr/bin', '/usr/sbin', '/root/.ssh'],
      },
      { sensor: Sensor.SENSOR_AUTH, enabled: true },
      { sensor: Sensor.SENSOR_LOG, enabled: true },
      { sensor: Sensor.SENSOR_METRICS, enabled: true, intervalSeconds: 10 },
      { sensor: Sensor.SENSOR_INVENTORY, enabled: true, intervalSeconds: 86_400 },
    ],
    batchMaxEvents: 2_000,
    batchMaxBytes: 1_048_576,
    batchMaxDelayMs: 1_000,
    heartbeatIntervalSeconds: 60,
  };
}

/**
 * Reads a policy from a JSON file in the proto3 JSON form of inosec.v1.Policy (enum names as strings:
 * "SENSOR_PROCESS"). Sensors it does not list keep the default policy's settings.
 */
export async function loadPolicyFile(file: string): Promise<IPolicy> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PolicyFileError(`cannot read the policy ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PolicyFileError(`the policy ${file} must be a JSON object (inosec.v1.Policy)`);
  }
  let policy: inosec.v1.Policy;
  try {
    policy = inosec.v1.Policy.fromObject(json);
  } catch (error) {
    throw new PolicyFileError(`the policy ${file} is invalid: ${(error as Error).message}`, { cause: error });
  }
  for (const [i, entry] of policy.sensors.entries()) {
    if (!entry.sensor || Sensor[entry.sensor] === undefined) {
      throw new PolicyFileError(
        `the policy ${file} is invalid: sensors[${i}].sensor must be a known SENSOR_* name`,
      );
    }
  }
  const defaults = defaultPolicy();
  const listed = new Set(policy.sensors.map((s) => s.sensor));
  return {
    ...defaults,
    ...inosec.v1.Policy.toObject(policy, { defaults: false }),
    sensors: [...policy.sensors, ...(defaults.sensors ?? []).filter((s) => !listed.has(s.sensor ?? 0))],
  };
}
