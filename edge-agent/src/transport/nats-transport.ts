import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { TransportBase } from './transport-base.js';
import { BatchWindow, type InFlightBatch } from './batch-window.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_BATCH_LIMITS,
  backoffDelay,
  sleep,
  type TransportOptions,
} from './transport-types.js';

export interface NatsTransportOptions extends TransportOptions {
  /** nats://host:port or tls://host:port, with user:password in the URL when the server asks for it. */
  url: string;
  /** TLS material (tls:// URLs): CA bundle, and a client certificate when the server verifies clients. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** How long to wait for JetStream's publish acknowledgement. */
  publishTimeoutMs?: number;
  /**
   * The `.creds` file issued at enrollment (user JWT and nkey seed) for a nats-server in operator mode. It is
   * read at each connection, so renewed credentials are picked up without a restart.
   */
  credsFile?: string;
}

/** The credentials file the agent uses: INOSEC_NATS_CREDS when set, else `<state dir>/nats.creds` if it exists. */
export async function resolveNatsCredsFile(
  configured: string | undefined,
  stateDir: string,
): Promise<string | undefined> {
  if (configured) return configured;
  const fallback = path.join(stateDir, 'nats.creds');
  return access(fallback).then(
    () => fallback,
    () => undefined,
  );
}

/**
 * The inbox prefix of the agent's NATS client: its credentials allow subscribing to `_INBOX_<agent-id>.>` only
 * (the control plane's agentPermissions), so JetStream's publish acks must come there and no agent reads
 * another's replies.
 */
export function agentInboxPrefix(agentId: string): string {
  return `_INBOX_${agentId}`;
}

// nats.js's creds parser expects LF line ends.
const credsBytes = (text: string): Uint8Array => new TextEncoder().encode(text.replace(/\r\n/g, '\n'));

/** The subject an agent publishes its batches on; its NATS credentials allow only this one. */
export function telemetrySubject(agentId: string): string {
  return `telemetry.${agentId}`;
}

/**
 * Ships the spool to NATS JetStream: each batch is published on `telemetry.<agent-id>` with a message id
 * (`<agent-id>:<first>-<last>`) so a re-publish within the stream's duplicate window is dropped by the server,
 * and leaves the spool only once JetStream acknowledged storing it (the stream is durable; collectors take it
 * from there and deduplicate on seq). Up to `window` publishes are in flight; a failed one ends the session,
 * and the next session resends everything after the spool's acknowledged seq.
 */
export class NatsTransport extends TransportBase {
  constructor(private readonly options: NatsTransportOptions) {
    super('nats', options.spool);
  }

  private async connectionOptions(): Promise<ConnectionOptions> {
    const url = new URL(this.options.url);
    const options: ConnectionOptions = {
      servers: `${url.protocol}//${url.host}`,
      name: `inosec-agent ${this.options.agentId}`,
      inboxPrefix: agentInboxPrefix(this.options.agentId),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      reconnectJitter: 500,
    };
    const { credsFile } = this.options;
    if (credsFile) {
      // A missing or unreadable file fails this attempt with its reason; the loop retries with backoff.
      let good = credsBytes(await readFile(credsFile, 'utf8'));
      options.authenticator = credsAuthenticator(() => {
        try {
          good = credsBytes(readFileSync(credsFile, 'utf8'));
        } catch {
          // Keep the credentials read last.
        }
        return good;
      });
    }
    if (url.username) {
      options.user = decodeURIComponent(url.username);
      options.pass = decodeURIComponent(url.password);
    }
    const { tls } = this.options;
    if (tls || url.protocol === 'tls:') {
      options.tls = tls
        ? {
            ca: tls.ca.toString(),
            ...(tls.cert && tls.key ? { cert: tls.cert.toString(), key: tls.key.toString() } : {}),
          }
        : {};
    }
    return options;
  }

  protected async loop(): Promise<void> {
    const { logger } = this.options;
    const backoff = { ...DEFAULT_BACKOFF, ...this.options.backoff };
    let failures = 0;
    let nc: NatsConnection | undefined;
    try {
      while (!this.abort.signal.aborted) {
        try {
          nc ??= await connect(await this.connectionOptions());
          this.state.connected = true;
          const started = Date.now();
          try {
            await this.session(nc);
            return;
          } finally {
            if (Date.now() - started > 30_000) failures = 0;
          }
        } catch (error) {
          if (this.abort.signal.aborted) return;
          this.state.lastError = (error as Error).message;
          this.state.reconnects++;
          if (nc?.isClosed()) nc = undefined;
          const wait = backoffDelay(failures++, backoff);
          logger.warn(
            { waitMs: wait, reason: (error as Error).message },
            'Publishing to NATS failed; retrying',
          );
          await sleep(wait, this.abort.signal);
        }
      }
    } finally {
      this.state.connected = false;
      await nc?.drain().catch(() => nc?.close());
    }
  }

  private async session(nc: NatsConnection): Promise<void> {
    const { spool, agentId } = this.options;
    const limits = { ...DEFAULT_BATCH_LIMITS, ...this.options.limits };
    // A message must fit the server's max_payload (1 MiB by default).
    const maxPayload = nc.info?.max_payload ?? 1_048_576;
    limits.maxBytes = Math.min(limits.maxBytes, maxPayload - 4_096);
    const window = new BatchWindow(agentId, spool, this.options.host, limits);
    const js: JetStreamClient = jetstream(nc, { timeout: this.options.publishTimeoutMs ?? 10_000 });
    const subject = telemetrySubject(agentId);
    const session = new AbortController();
    const stopSession = () => session.abort();
    this.abort.signal.addEventListener('abort', stopSession, { once: true });
    let failure: Error | undefined;
    const pending = new Set<Promise<void>>();

    const publish = async (batch: InFlightBatch) => {
      try {
        await js.publish(subject, batch.bytes, { msgID: `${agentId}:${batch.firstSeq}-${batch.lastSeq}` });
        const acked = await window.settle(batch);
        this.acknowledged(acked);
      } catch (error) {
        failure ??= error as Error;
        session.abort();
      }
    };

    try {
      while (!session.signal.aborted) {
        if (window.full) {
          await Promise.race(pending);
          continue;
        }
        const batch = await window.next();
        if (!batch) {
          await spool.waitForData(window.nextAfter, session.signal);
          continue;
        }
        this.state.batchesSent++;
        const task = publish(batch);
        pending.add(task);
        void task.finally(() => pending.delete(task));
      }
      await Promise.allSettled(pending);
    } finally {
      this.abort.signal.removeEventListener('abort', stopSession);
    }
    if (failure && !this.abort.signal.aborted) throw failure;
  }
}
