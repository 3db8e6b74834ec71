// Public entry of the edge agent workspace.
export { agentConfigSchema, loadAgentConfig, type AgentConfig } from './config/agent.config.js';
