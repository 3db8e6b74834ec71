// A group's policy in the API's JSON form, validated against the bounds of inosec.v1.Policy, and its conversion
// to the signed protobuf an agent runs (agent_control.proto: Policy, SignedPolicy).
import { sign, type KeyObject } from 'node:crypto';
import { encodeMessage, inosec, Policy, type IPolicy, type ISignedPolicy } from '@inosec/protos';
import { z } from 'zod';

const Sensor = inosec.v1.Sensor;

/** API names of the sensors (inosec.v1.Sensor without the SENSOR_ prefix, lower case). */
export const SENSOR_NAMES = [
  'process',
  'network',
  'file_integrity',
  'auth',
  'log',
  'metrics',
  'inventory',
  'ot_dpi',
  'mqtt_broker',
] as const;
export type SensorName = (typeof SENSOR_NAMES)[number];

const SENSOR_VALUES: Record<SensorName, inosec.v1.Sensor> = {
  process: Sensor.SENSOR_PROCESS,
  network: Sensor.SENSOR_NETWORK,
  file_integrity: Sensor.SENSOR_FILE_INTEGRITY,
  auth: Sensor.SENSOR_AUTH,
  log: Sensor.SENSOR_LOG,
  metrics: Sensor.SENSOR_METRICS,
  inventory: Sensor.SENSOR_INVENTORY,
  ot_dpi: Sensor.SENSOR_OT_DPI,
  mqtt_broker: Sensor.SENSOR_MQTT_BROKER,
};

/** The API name of a proto sensor value, or undefined for an unknown one. */
export function sensorName(value: number): SensorName | undefined {
  return SENSOR_NAMES.find((name) => Number(SENSOR_VALUES[name]) === value);
}

const pathList = z.array(z.string().min(1).max(4096)).max(256);

export const sensorPolicySchema = z.strictObject({
  sensor: z.enum(SENSOR_NAMES),
  enabled: z.boolean(),
  intervalSeconds: z.number().int().min(0).max(604_800).default(0),
  paths: pathList.default([]),
  excludePaths: pathList.default([]),
  options: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().max(1024))
    .refine((o) => Object.keys(o).length <= 32, 'at most 32 options')
    .default({}),
});

/** A group policy: sensors, batching, spool bound and heartbeat interval. */
export const policyDocumentSchema = z.strictObject({
  sensors: z
    .array(sensorPolicySchema)
    .max(SENSOR_NAMES.length)
    .refine((list) => new Set(list.map((s) => s.sensor)).size === list.length, 'each sensor at most once'),
  spoolMaxBytes: z
    .number()
    .int()
    .min(1_048_576)
    .max(1_099_511_627_776)
    .describe('bytes 1 MiB-1 TiB: the agent spool bound'),
  batchMaxEvents: z.number().int().min(1).max(50_000),
  batchMaxBytes: z.number().int().min(1_024).max(4_194_304),
  batchMaxDelayMs: z.number().int().min(10).max(60_000),
  heartbeatIntervalSeconds: z.number().int().min(10).max(3_600),
});

export type PolicyDocument = z.output<typeof policyDocumentSchema>;

/** The policy a new group starts with: the endpoint sensors the edge agent runs by default. */
export const DEFAULT_POLICY: PolicyDocument = {
  sensors: [
    { sensor: 'process', enabled: true, intervalSeconds: 1, paths: [], excludePaths: [], options: {} },
    { sensor: 'network', enabled: true, intervalSeconds: 5, paths: [], excludePaths: [], options: {} },
    {
      sensor: 'file_integrity',
      enabled: true,
      intervalSeconds: 3_600,
      paths: ['/etc', '/usr/bin', '/usr/sbin', '/root/.ssh'],
      excludePaths: [],
      options: {},
    },
    { sensor: 'auth', enabled: true, intervalSeconds: 0, paths: [], excludePaths: [], options: {} },
    { sensor: 'log', enabled: true, intervalSeconds: 0, paths: [], excludePaths: [], options: {} },
    { sensor: 'metrics', enabled: true, intervalSeconds: 10, paths: [], excludePaths: [], options: {} },
    { sensor: 'inventory', enabled: true, intervalSeconds: 86_400, paths: [], excludePaths: [], options: {} },
  ],
  spoolMaxBytes: 1_073_741_824,
  batchMaxEvents: 2_000,
  batchMaxBytes: 1_048_576,
  batchMaxDelayMs: 1_000,
  heartbeatIntervalSeconds: 60,
};

/** Reads a stored policy (validated when it was written; parsed again so a bad row cannot reach an agent). */
export function parseStoredPolicy(value: unknown): PolicyDocument {
  return policyDocumentSchema.parse(value);
}

/** The protobuf Policy for one agent. */
export function toProtoPolicy(
  doc: PolicyDocument,
  target: { version: number; agentId: string; tenantId: string; issuedUnixUs: number },
): IPolicy {
  return {
    version: target.version,
    agentId: target.agentId,
    tenantId: target.tenantId,
    issuedUnixUs: target.issuedUnixUs,
    expiresUnixUs: 0,
    sensors: doc.sensors.map((s) => ({
      sensor: SENSOR_VALUES[s.sensor],
      enabled: s.enabled,
      intervalSeconds: s.intervalSeconds,
      paths: s.paths,
      excludePaths: s.excludePaths,
      options: s.options,
    })),
    spoolMaxBytes: doc.spoolMaxBytes,
    batchMaxEvents: doc.batchMaxEvents,
    batchMaxBytes: doc.batchMaxBytes,
    batchMaxDelayMs: doc.batchMaxDelayMs,
    heartbeatIntervalSeconds: doc.heartbeatIntervalSeconds,
  };
}

/** Encodes a policy and signs exactly those bytes with the tenant's Ed25519 key. */
export function signPolicy(policy: IPolicy, key: { keyId: string; privateKey: KeyObject }): ISignedPolicy {
  const bytes = encodeMessage(Policy, policy);
  return { policy: bytes, signature: sign(null, bytes, key.privateKey), keyId: key.keyId };
}
