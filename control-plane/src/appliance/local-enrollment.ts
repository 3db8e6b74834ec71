// The appliance's own agent is enrolled like any other: the appliance creates a one-time token of its tenant
// and runs the agent's `enroll` command against the AgentControl service, which signs the agent's CSR with
// the tenant CA; from then on the agent streams to the collector over mTLS with the certificate it was issued
// (the collector accepts only that certificate for that agent id). The collector's server certificate comes
// from the same platform root.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { InosecError } from '@inosec/protos';
import type pg from 'pg';
import type { Logger } from '../logging/logger.js';
import type { EnrollmentTokensService } from '../fleet/enrollment-tokens.service.js';
import { systemActor } from '../fleet/fleet-actor.js';
import type { FleetPki } from '../fleet/fleet-pki.service.js';
import { AGENT_MAIN } from './local-agent.js';

const run = promisify(execFile);

/** The local agent could not enroll. */
export class LocalEnrollmentError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('local_enrollment_failed', message, options);
  }
}

export interface CollectorTlsFiles {
  certPath: string;
  keyPath: string;
  caPath: string;
}

/**
 * Issues the collector's server certificate (127.0.0.1, localhost) from the platform root and writes it with
 * its key (0600) and the root under `dir`; re-issued at each start, so it never nears expiry.
 */
export async function writeCollectorTls(pki: FleetPki, dir: string): Promise<CollectorTlsFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    certPath: path.join(dir, 'collector.crt'),
    keyPath: path.join(dir, 'collector.key'),
    caPath: path.join(dir, 'ca.crt'),
  };
  const tls = await pki.issueServerTls('InoSec collector', ['localhost', '127.0.0.1']);
  await writeFile(files.keyPath, tls.keyPem, { mode: 0o600 });
  await writeFile(files.certPath, tls.certChainPem, { mode: 0o644 });
  await writeFile(files.caPath, (await pki.root()).pem, { mode: 0o644 });
  return files;
}

/**
 * Agents registered before enrollment existed (no enrolled certificate on record) are revoked: the appliance's
 * collector accepts enrolled certificates only, and the local agent enrolls again.
 */
export async function retireUnenrolledAgents(admin: pg.Pool): Promise<void> {
  await admin.query(
    `UPDATE telemetry.agents SET revoked_at = now() WHERE cert_sha256 IS NULL AND revoked_at IS NULL`,
  );
}

/**
 * Enrolls the local agent when its state directory holds no certificate yet: a one-time token (1 hour, one
 * use) of the appliance tenant, handed to `inosec-agent enroll` in a 0600 file (never on the command line).
 */
export async function enrollLocalAgent(options: {
  stateDir: string;
  tokens: EnrollmentTokensService;
  tenantId: string;
  transport: string;
  logger: Logger;
  command?: { file: string; args: string[] };
}): Promise<void> {
  const { stateDir, logger } = options;
  if (existsSync(path.join(stateDir, 'agent.crt'))) return;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const issued = await options.tokens.issue(systemActor(options.tenantId), {
    description: 'appliance local agent',
    ttlSeconds: 3_600,
    maxUses: 1,
  });
  const tokenFile = path.join(stateDir, `.enroll-${randomUUID()}.token`);
  await writeFile(tokenFile, issued.token, { mode: 0o600 });
  const command = options.command ?? { file: process.execPath, args: [AGENT_MAIN] };
  try {
    const { stdout } = await run(
      command.file,
      [
        ...command.args,
        'enroll',
        '--server',
        issued.server,
        '--token-file',
        tokenFile,
        '--ca-sha256',
        issued.caSha256,
        '--force',
      ],
      {
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          INOSEC_AGENT_STATE_DIR: stateDir,
          INOSEC_TRANSPORT: options.transport,
        },
        timeout: 60_000,
      },
    );
    logger.info({ output: stdout.trim().split('\n')[0] }, 'Local agent enrolled');
  } catch (error) {
    const failure = error as { stderr?: string; code?: number };
    throw new LocalEnrollmentError(
      `the local agent could not enroll (exit ${failure.code ?? '?'}): ${(failure.stderr ?? String(error)).trim()}`,
      { cause: error },
    );
  } finally {
    await rm(tokenFile, { force: true });
  }
}
