// NATS credentials of the fleet: the NATS user an agent gets at enrollment when agents are told to send over
// NATS, and the telemetry account JWT with the revoked agents' users for the nats-servers.
import { readFile } from 'node:fs/promises';
import type { RevocationList } from '@nats-io/jwt';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import {
  authorityPublicKeys,
  encodeTelemetryAccountJwt,
  type NatsAuthority,
} from '../nats-auth/nats-authority.js';
import { sharedNatsAuthority } from '../nats-auth/nats-authority-cache.js';
import { renderNatsAuthInclude, writeNatsAuthInclude } from '../nats-auth/nats-auth-include.js';
import { pruneRevocations } from '../nats-auth/nats-revocation.js';
import {
  MAX_CREDENTIALS_TTL_SECONDS,
  issueAgentCredentials,
  type IssuedNatsCredentials,
} from '../nats-auth/nats-user-credentials.js';
import type { ServerContext } from '../server-context.js';
import { listNatsRevocations } from './agent-nats.repository.js';

/** What FleetNats reads from the configuration. */
export type FleetNatsConfig = Pick<
  ControlPlaneConfig,
  | 'INOSEC_COLLECTOR_URLS'
  | 'INOSEC_NATS_AUTHORITY_CREATE'
  | 'INOSEC_NATS_AUTH_CONFIG'
  | 'INOSEC_NATS_PID_FILE'
>;

/** The telemetry account as the nats-servers must load it. */
export interface NatsAccountState {
  /** The telemetry account's public key (the key of `accountJwt` in resolver_preload). */
  account: string;
  /** The telemetry account JWT signed by the operator, with `revocations`: push it to every nats-server. */
  accountJwt: string;
  /** Revoked user public keys → unix seconds (JWTs issued at or before are refused). */
  revocations: RevocationList;
  /** The include file rewritten with it (INOSEC_NATS_AUTH_CONFIG), when configured. */
  configFile: string | null;
  /**
   * Whether the local nats-server was told to reload the include (INOSEC_NATS_PID_FILE): null when not
   * configured, false when the signal could not be sent (logged).
   */
  reloadSignalled: boolean | null;
}

/** True when one of the collector URLs handed to agents is a NATS URL (nats:// or tls://). */
export function hasNatsCollector(collectorUrls: readonly string[]): boolean {
  return collectorUrls.some((url) => /^(nats|tls):\/\//.test(url));
}

/**
 * Issues agents' NATS users and renders the telemetry account's revocations. The authority (operator and
 * account keys) is loaded lazily, once per process, from `<dataDir>/nats/authority.sealed`; it is created
 * there on first use when INOSEC_NATS_AUTHORITY_CREATE allows it.
 */
export class FleetNats {
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: FleetNatsConfig,
    private readonly context: Pick<ServerContext, 'dataDir' | 'secretBox'>,
    private readonly logger: Logger,
  ) {}

  /** Whether agents enrolling now get NATS credentials. */
  issuesCredentials(): boolean {
    return hasNatsCollector(this.config.INOSEC_COLLECTOR_URLS.split(','));
  }

  private authority(): Promise<NatsAuthority> {
    return sharedNatsAuthority({
      dataDir: this.context.dataDir,
      secretBox: this.context.secretBox,
      create: this.config.INOSEC_NATS_AUTHORITY_CREATE,
    });
  }

  /** Issues an agent's NATS user (publish on `telemetry.<agentId>` only); the creds are a secret: hand over once. */
  async issueAgent(tenantId: string, agentId: string): Promise<IssuedNatsCredentials> {
    return issueAgentCredentials(await this.authority(), { tenantId, agentId });
  }

  /**
   * The telemetry account JWT with every revocation still relevant (younger than the longest credential
   * lifetime), read with `client` (any transaction: the list is platform-wide). With INOSEC_NATS_AUTH_CONFIG
   * set, the include file is rewritten with it, and with INOSEC_NATS_PID_FILE the local server is told to
   * reload it; other servers are the operator's (or its tooling's) job.
   */
  async accountState(client: pg.ClientBase): Promise<NatsAccountState> {
    // Serialised in this process: each call reads the list after the previous one wrote its file, so the
    // file always ends with the newest list.
    const run = this.serial.then(() => this.renderAndWrite(client));
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async renderAndWrite(client: pg.ClientBase): Promise<NatsAccountState> {
    const authority = await this.authority();
    const now = new Date();
    const since = new Date(now.getTime() - MAX_CREDENTIALS_TTL_SECONDS * 1_000);
    const list: RevocationList = {};
    for (const r of await listNatsRevocations(client, since)) {
      list[r.userKey] = Math.floor(r.revokedAt.getTime() / 1_000);
    }
    const revocations = pruneRevocations(list, now);
    const accountJwt = await encodeTelemetryAccountJwt(authority, revocations);
    const file = this.config.INOSEC_NATS_AUTH_CONFIG ?? null;
    let reloadSignalled: boolean | null = null;
    if (file !== null) {
      await writeNatsAuthInclude(file, await renderNatsAuthInclude(authority, revocations));
      this.logger.info({ file, revocations: Object.keys(revocations).length }, 'NATS auth config written');
      const pidFile = this.config.INOSEC_NATS_PID_FILE;
      if (pidFile !== undefined) reloadSignalled = await this.signalReload(pidFile);
    }
    return {
      account: authorityPublicKeys(authority).account,
      accountJwt,
      revocations,
      configFile: file,
      reloadSignalled,
    };
  }

  /** Sends SIGHUP to the nats-server whose pid is in `pidFile`; false (and an error log) when it cannot. */
  private async signalReload(pidFile: string): Promise<boolean> {
    try {
      const text = (await readFile(pidFile, 'utf8')).trim();
      const pid = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(pid) || pid <= 1)
        throw new Error(`no process id in ${pidFile}: "${text.slice(0, 40)}"`);
      process.kill(pid, 'SIGHUP');
      this.logger.info({ pidFile, pid }, 'nats-server told to reload its auth config');
      return true;
    } catch (error) {
      this.logger.error(
        { err: error, pidFile },
        'nats-server not told to reload: revoked agents stay accepted until it reloads',
      );
      return false;
    }
  }
}
