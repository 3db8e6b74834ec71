// The agent's entry into the control-plane code, loaded by agent.ts with import() only when INOSEC_CONTROL_URL
// is set, so an agent without a control plane never evaluates it.
import type { Policy } from '@inosec/protos';
import type { Logger } from 'pino';
import { startControlLoop, type ControlLoop, type ControlLoopOptions } from './control-loop.js';
import { parseControlUrl } from './control-url.js';
import { loadStoredPolicy, SIGNED_POLICY_FILE } from './policy-store.js';

export { type ControlLoop, type ControlTiming } from './control-loop.js';

/**
 * The signed policy the control plane last sent, verified again against the policy signing keys; undefined
 * (logged) when there is none or it does not verify: the agent then runs its local policy, reports version 0
 * and the control plane sends the policy again.
 */
export async function loadControlPolicy(
  stateDir: string,
  agentId: string,
  logger: Logger,
): Promise<Policy | undefined> {
  try {
    const policy = await loadStoredPolicy(stateDir, agentId);
    if (policy)
      logger.info(
        { policyVersion: Number(policy.version) },
        'Running the signed policy from the control plane',
      );
    return policy;
  } catch (error) {
    logger.error(
      { err: error, file: SIGNED_POLICY_FILE },
      'The saved signed policy does not verify; running the local policy until the control plane sends it again',
    );
    return undefined;
  }
}

export interface AgentControlOptions extends Omit<ControlLoopOptions, 'endpoint' | 'tls'> {
  /** INOSEC_CONTROL_URL. */
  url: string;
  /** The agent's TLS files as found (any may be missing before enrollment). */
  tls: { ca: Buffer | undefined; cert: Buffer | undefined; key: Buffer | undefined };
}

/**
 * Starts the heartbeat loop; without the agent's certificate, key and CA (not enrolled) or with an invalid URL
 * it logs why and does nothing: telemetry runs regardless.
 */
export function startAgentControl(options: AgentControlOptions): ControlLoop {
  const { url, tls, ...rest } = options;
  try {
    const endpoint = parseControlUrl(url);
    if (!tls.ca || !tls.cert || !tls.key) {
      options.logger.error(
        'INOSEC_CONTROL_URL is set but the agent certificate, key or CA is missing: enroll the agent (inosec-agent enroll); no heartbeats',
      );
      return { stop: () => Promise.resolve() };
    }
    return startControlLoop({ ...rest, endpoint, tls: { ca: tls.ca, cert: tls.cert, key: tls.key } });
  } catch (error) {
    options.logger.error({ err: error }, 'Cannot start the control-plane heartbeats');
    return { stop: () => Promise.resolve() };
  }
}
