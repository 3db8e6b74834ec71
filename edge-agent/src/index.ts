// Public entry of the edge agent workspace.
export { agentConfigSchema, loadAgentConfig, type AgentConfig } from './config/agent.config.js';
export {
  startAgent,
  AgentStartError,
  STATUS_FILE,
  type AgentOptions,
  type AgentStatus,
  type RunningAgent,
} from './agent/agent.js';
export { defaultPolicy, loadPolicyFile, PolicyFileError } from './agent/default-policy.js';
export { describeHost } from './agent/host-info.js';
export { agentCli } from './cli/agent-cli.js';
export { AGENT_VERSION } from './version.js';
export * from './spool/index.js';
export { GrpcTransport, type GrpcTransportOptions } from './transport/grpc-transport.js';
export { NatsTransport, telemetrySubject, type NatsTransportOptions } from './transport/nats-transport.js';
export type { Sensor, SensorContext, EventDraft } from './sensors/sensor.js';
