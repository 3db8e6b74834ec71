import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { inosec, type IHost } from '@inosec/protos';
import { writeFileAtomic } from '../control/atomic-file.js';
import { ControlClient } from '../control/control-client.js';
import { ControlUrlError, parseControlUrl, type ControlEndpoint } from '../control/control-url.js';
import { CONTROL_STATE_FILE } from '../control/command-ledger.js';
import {
  persistPolicy,
  POLICY_JSON_FILE,
  readPolicyKeys,
  SIGNED_POLICY_FILE,
  writePolicyKeys,
} from '../control/policy-store.js';
import { verifySignedPolicy } from '../control/policy-verifier.js';
import { lockSpoolDir } from '../spool/spool-lock.js';
import { createAgentKeyRequest } from './agent-keys.js';
import { fetchPinnedCa, verifyServer } from './ca-pin.js';
import { ENROLL_EXIT, EnrollError } from './enroll-errors.js';
import { checkEnrollResponse, parseCertificates } from './enroll-response.js';
import { enrollCallFailure } from './enroll-rpc-errors.js';
import { updateEnvFile } from './env-file.js';

/** Files enrollment writes in the state directory. */
export const ENROLLMENT_FILES = {
  key: 'agent.key',
  certificate: 'agent.crt',
  ca: 'ca.crt',
} as const;

/** How the control plane's TLS certificate is trusted: a pinned CA fingerprint, or a CA file. */
export type EnrollTrust = { caSha256: string } | { caPem: string };

export interface EnrollOptions {
  /** grpcs://host:port of the control plane's AgentControl service. */
  server: string;
  /** The one-time enrollment token (never logged nor written). */
  token: string;
  trust: EnrollTrust;
  stateDir: string;
  /** The environment file to update (INOSEC_TRANSPORT, INOSEC_CONTROL_URL). */
  envFile: string;
  /** Replace an existing enrollment. */
  force?: boolean;
  kind?: inosec.v1.AgentKind;
  host: IHost;
  agentVersion: string;
  /** Timeout of each connection and call (default 15 s). */
  timeoutMs?: number;
}

export interface EnrollResult {
  agentId: string;
  server: string;
  certificateExpiresAt: Date;
  /** The collector URL written to INOSEC_TRANSPORT, when the control plane sent a usable one. */
  collectorUrl: string | undefined;
  /** The policy received right after enrolling, or why there is none. */
  policy: { version: number } | { note: string };
  /** Files written in the state directory. */
  files: string[];
  envFile: string;
  /** Notes for the operator (the previous spool set aside, a collector URL not usable, ...). */
  notes: string[];
}

const DEFAULT_STATE_DIR = '/var/lib/inosec-agent';
const COLLECTOR_SCHEMES = new Set(['grpc:', 'grpcs:', 'nats:', 'tls:']);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Refuses to replace an enrollment without `force`, and always while the agent runs on this state directory. */
async function checkNotEnrolled(stateDir: string, force: boolean): Promise<void> {
  const present = [];
  for (const name of [ENROLLMENT_FILES.key, ENROLLMENT_FILES.certificate]) {
    if (await exists(path.join(stateDir, name))) present.push(name);
  }
  if (present.length === 0) return;
  if (!force) {
    throw new EnrollError(
      ENROLL_EXIT.cantCreate,
      `already enrolled: ${path.join(stateDir, present[0] ?? '')} exists; pass --force to replace this enrollment`,
    );
  }
  const spoolDir = path.join(stateDir, 'spool');
  if (await exists(spoolDir)) {
    try {
      const release = await lockSpoolDir(spoolDir);
      await release();
    } catch (error) {
      throw new EnrollError(
        ENROLL_EXIT.cantCreate,
        `the agent is running on ${stateDir} (${(error as Error).message}): stop it before enrolling again`,
        { cause: error },
      );
    }
  }
}

async function checkWritable(stateDir: string, envFile: string): Promise<void> {
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await access(stateDir, constants.W_OK);
    await mkdir(path.dirname(envFile), { recursive: true, mode: 0o700 });
    await access(path.dirname(envFile), constants.W_OK);
  } catch (error) {
    throw new EnrollError(ENROLL_EXIT.ioError, `cannot write the enrollment: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function trustAnchor(
  endpoint: ControlEndpoint,
  trust: EnrollTrust,
  timeoutMs: number,
): Promise<string> {
  let caPem: string;
  if ('caSha256' in trust) {
    caPem = await fetchPinnedCa(endpoint, trust.caSha256, timeoutMs);
  } else {
    let certificates;
    try {
      certificates = parseCertificates(trust.caPem);
    } catch (error) {
      throw new EnrollError(
        ENROLL_EXIT.noInput,
        `the CA file holds an invalid certificate: ${(error as Error).message}`,
      );
    }
    if (certificates.length === 0)
      throw new EnrollError(ENROLL_EXIT.noInput, 'the CA file holds no PEM certificate');
    caPem = trust.caPem;
  }
  await verifyServer(endpoint, caPem, timeoutMs);
  return caPem;
}

/** The first collector URL the agent's INOSEC_TRANSPORT accepts. */
function collectorUrl(urls: readonly string[], notes: string[]): string | undefined {
  const [first] = urls;
  if (first === undefined) {
    notes.push('the control plane sent no collector URL: set INOSEC_TRANSPORT yourself');
    return undefined;
  }
  try {
    const url = new URL(first);
    if (COLLECTOR_SCHEMES.has(url.protocol) && url.hostname && /^[^\s"'`#\\]+$/.test(first)) return first;
  } catch {
    // Reported below.
  }
  notes.push(
    `the control plane's collector URL "${first.slice(0, 200)}" is not usable: set INOSEC_TRANSPORT yourself`,
  );
  return undefined;
}

/** The old agent's files that mean nothing to a new agent id; its spool is set aside rather than sent as ours. */
async function retireOldAgent(stateDir: string, agentId: string, notes: string[]): Promise<void> {
  const certFile = path.join(stateDir, ENROLLMENT_FILES.certificate);
  const old = await readFile(certFile, 'utf8').catch(() => undefined);
  const oldId = old ? /(?:^|\n)CN=([^\n]+)/.exec(parseCertificates(old)[0]?.subject ?? '')?.[1] : undefined;
  if (oldId === undefined || oldId === agentId) return;
  for (const name of [SIGNED_POLICY_FILE, POLICY_JSON_FILE, CONTROL_STATE_FILE]) {
    await rm(path.join(stateDir, name), { force: true });
  }
  const spool = path.join(stateDir, 'spool');
  if (await exists(spool)) {
    const aside = path.join(stateDir, `spool.${oldId}.${Date.now()}`);
    await rename(spool, aside);
    notes.push(
      `the spool of the previous agent ${oldId} was moved to ${aside} (it is not sent under the new identity)`,
    );
  }
}

/** Fetches and verifies the policy over the new mTLS identity; never fails the enrollment. */
async function firstPolicy(
  endpoint: ControlEndpoint,
  files: { ca: string; cert: string; key: string },
  stateDir: string,
  agentId: string,
  timeoutMs: number,
): Promise<{ version: number } | { note: string }> {
  const client = new ControlClient(
    endpoint,
    { ca: Buffer.from(files.ca), cert: Buffer.from(files.cert), key: Buffer.from(files.key) },
    timeoutMs,
  );
  try {
    const response = await client.getPolicy({ agentId, currentVersion: 0 });
    if (!response.policy?.policy?.byteLength) return { note: 'no policy assigned yet' };
    const policy = verifySignedPolicy(response.policy, await readPolicyKeys(stateDir), {
      agentId,
      currentVersion: 0,
      nowUnixUs: Date.now() * 1000,
    });
    await persistPolicy(stateDir, response.policy, policy);
    return { version: Number(policy.version) };
  } catch (error) {
    const detail = (error as { details?: string }).details ?? (error as Error).message;
    return { note: `no policy yet (${detail}); the agent fetches it after its first heartbeat` };
  } finally {
    client.close();
  }
}

/**
 * Enrolls this agent with the control plane: trusts the server through the pinned CA (or CA file) only, sends
 * a CSR for a key pair generated here with the one-time token, checks the certificate it gets back, and writes
 * the key (0600), the certificate chain, the CA bundle and the policy signing keys to the state directory
 * (each atomically), then the first signed policy when the control plane has one, and finally points the
 * environment file at the collector and the control plane. Throws EnrollError with the exit code to use.
 */
export async function enrollAgent(options: EnrollOptions): Promise<EnrollResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let endpoint: ControlEndpoint;
  try {
    endpoint = parseControlUrl(options.server);
  } catch (error) {
    if (error instanceof ControlUrlError)
      throw new EnrollError(ENROLL_EXIT.usage, `--server: ${error.message}`);
    throw error;
  }
  const { stateDir } = options;
  await checkNotEnrolled(stateDir, options.force ?? false);
  await checkWritable(stateDir, options.envFile);
  const caPem = await trustAnchor(endpoint, options.trust, timeoutMs);

  const keys = await createAgentKeyRequest();
  const client = new ControlClient(endpoint, { ca: Buffer.from(caPem) }, timeoutMs);
  let response;
  try {
    response = await client.enroll({
      enrollmentToken: options.token,
      csrPem: keys.csrPem,
      host: options.host,
      agentVersion: options.agentVersion,
      agentKind: options.kind ?? inosec.v1.AgentKind.AGENT_KIND_ENDPOINT,
    });
  } catch (error) {
    throw enrollCallFailure(error, endpoint, options.token);
  } finally {
    client.close();
  }
  const checked = checkEnrollResponse(response, keys.publicKeySpki, caPem);
  const notes: string[] = [];
  const files = [ENROLLMENT_FILES.key, ENROLLMENT_FILES.certificate, ENROLLMENT_FILES.ca, 'policy-keys.json'];
  const transport = collectorUrl(response.collectorUrls, notes);
  try {
    await retireOldAgent(stateDir, checked.agentId, notes);
    await writeFileAtomic(path.join(stateDir, ENROLLMENT_FILES.key), keys.privateKeyPem, 0o600);
    await writeFileAtomic(path.join(stateDir, ENROLLMENT_FILES.certificate), checked.chainPem, 0o644);
    await writeFileAtomic(path.join(stateDir, ENROLLMENT_FILES.ca), checked.caPem, 0o644);
    await writePolicyKeys(stateDir, response.policySigningKeys);
    // NATS credentials (user JWT + seed), issued when a collector URL is NATS: the agent may publish only on
    // its own subject with them. A stale file from a previous enrollment would name another user: remove it.
    const natsCreds = path.join(stateDir, 'nats.creds');
    if (response.natsCredentials) {
      await writeFileAtomic(natsCreds, response.natsCredentials, 0o600);
      files.push('nats.creds');
    } else {
      await rm(natsCreds, { force: true });
    }
  } catch (error) {
    throw new EnrollError(
      ENROLL_EXIT.ioError,
      `cannot write the enrollment to ${stateDir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const policy = await firstPolicy(
    endpoint,
    { ca: checked.caPem, cert: checked.chainPem, key: keys.privateKeyPem },
    stateDir,
    checked.agentId,
    timeoutMs,
  );
  if ('version' in policy) files.push(SIGNED_POLICY_FILE, POLICY_JSON_FILE);
  try {
    await updateEnvFile(options.envFile, {
      ...(transport ? { INOSEC_TRANSPORT: transport } : {}),
      INOSEC_CONTROL_URL: endpoint.url,
      ...(path.resolve(stateDir) === DEFAULT_STATE_DIR
        ? {}
        : { INOSEC_AGENT_STATE_DIR: path.resolve(stateDir) }),
      // The token is spent, and the certificate names the agent.
      INOSEC_ENROLL_TOKEN: undefined,
      INOSEC_AGENT_ID: undefined,
    });
  } catch (error) {
    throw new EnrollError(
      ENROLL_EXIT.ioError,
      `enrolled, but cannot update ${options.envFile}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return {
    agentId: checked.agentId,
    server: endpoint.url,
    certificateExpiresAt: checked.expiresAt,
    collectorUrl: transport,
    policy,
    files,
    envFile: options.envFile,
    notes,
  };
}
