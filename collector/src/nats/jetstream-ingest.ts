import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { AgentIdentity } from '../ingest/batch-validator.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { AgentRecord } from '../storage/telemetry.repository.js';
import { natsCredentialsOptions } from './nats-credentials.js';

/** The stream agents publish to, one subject per agent: `telemetry.<agent-id>`. */
export const TELEMETRY_STREAM = 'TELEMETRY';
export const TELEMETRY_SUBJECT_PREFIX = 'telemetry.';
/** The durable pull consumer every collector shares: each batch goes to one of them. */
export const COLLECTOR_CONSUMER = 'collector';

export interface JetStreamIngestOptions {
  url: string;
  /**
   * The collector's `.creds` file (NATS_CREDS) for a nats-server in operator mode: checked at start (a missing,
   * malformed or expired file fails the start with NatsCredentialsError), read again at each reconnection.
   */
  credsFile?: string;
  ingest: IngestService;
  findAgent: (agentId: string) => Promise<AgentRecord | undefined>;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Unacknowledged batches the server hands this consumer group at most (back-pressure). */
  maxAckPending?: number;
  /** Batches this collector processes at once. */
  concurrency?: number;
  /** Bound of the stream on the NATS server; past it, publishes are refused and agents keep their spool. */
  streamMaxBytes?: number;
  /** Window in which JetStream drops a re-published batch by its message id. */
  duplicateWindowMs?: number;
  /** How long a batch may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
  name?: string;
}

export interface JetStreamIngest {
  /** Publishes on core NATS over the consumer's connection (the alert stream). */
  publish(subject: string, data: Uint8Array): void;
  stop(): Promise<void>;
}

const AGENT_CACHE_MS = 30_000;

/**
 * Creates or updates the telemetry stream and the shared durable consumer. Work-queue retention: a batch
 * leaves the stream when a collector acknowledges it, which it does only after the commit.
 */
export async function ensureTelemetryStream(
  jsm: JetStreamManager,
  options: Pick<
    JetStreamIngestOptions,
    'maxAckPending' | 'streamMaxBytes' | 'duplicateWindowMs' | 'ackWaitMs'
  >,
): Promise<void> {
  const stream = {
    name: TELEMETRY_STREAM,
    subjects: [`${TELEMETRY_SUBJECT_PREFIX}>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: options.streamMaxBytes ?? 1024 * 1_048_576,
    duplicate_window: (options.duplicateWindowMs ?? 120_000) * 1_000_000,
  };
  try {
    await jsm.streams.info(TELEMETRY_STREAM);
    await jsm.streams.update(TELEMETRY_STREAM, stream);
  } catch (error) {
    if (!/stream not found/i.test((error as Error).message)) throw error;
    await jsm.streams.add(stream);
  }
  const consumer = {
    durable_name: COLLECTOR_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: options.maxAckPending ?? 256,
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(TELEMETRY_STREAM, COLLECTOR_CONSUMER);
    await jsm.consumers.update(TELEMETRY_STREAM, COLLECTOR_CONSUMER, consumer);
  } catch (error) {
    if (!/consumer not found/i.test((error as Error).message)) throw error;
    await jsm.consumers.add(TELEMETRY_STREAM, consumer);
  }
}

/**
 * The collector's JetStream side: a member of the shared durable pull consumer. Each message is one
 * EventBatch published by the agent named in its subject (NATS credentials let an agent publish only there);
 * it is acknowledged after the commit, refused for good with `term`, or handed back with a delay on a
 * transient storage failure. Reconnects are nats.js's own (unlimited attempts).
 */
export async function startJetStreamIngest(options: JetStreamIngestOptions): Promise<JetStreamIngest> {
  const { logger, metrics } = options;
  const concurrency = options.concurrency ?? 16;
  const auth = options.credsFile ? await natsCredentialsOptions(options.credsFile) : undefined;
  const nc: NatsConnection = await connect({
    servers: options.url,
    name: options.name ?? 'inosec-collector',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    ...(auth ? { authenticator: auth.authenticator } : {}),
  });
  if (auth?.credentials.expiresAt) {
    logger.info(
      { user: auth.credentials.userPublicKey, expiresAt: auth.credentials.expiresAt.toISOString() },
      'Connected to NATS with credentials',
    );
  }
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        logger.warn({ status: status.type }, `NATS ${status.type}`);
      } else if (status.type === 'error') {
        // A permissions violation or an authorization error: the credentials do not fit the deployment.
        logger.error({ err: status.error }, 'NATS server reported an error');
      }
    }
  })();
  await ensureTelemetryStream(await jetstreamManager(nc), options);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(TELEMETRY_STREAM, COLLECTOR_CONSUMER);
  metrics.connections.inc({ transport: 'nats' });

  const agents = new Map<string, { record: AgentRecord | undefined; until: number }>();
  async function identify(subject: string): Promise<AgentIdentity | string> {
    const agentId = subject.slice(TELEMETRY_SUBJECT_PREFIX.length);
    if (!subject.startsWith(TELEMETRY_SUBJECT_PREFIX) || agentId.includes('.') || agentId === '') {
      return `subject ${subject} does not name one agent`;
    }
    let cached = agents.get(agentId);
    if (!cached || cached.until < Date.now()) {
      cached = { record: await options.findAgent(agentId), until: Date.now() + AGENT_CACHE_MS };
      agents.set(agentId, cached);
    }
    if (!cached.record) return `agent ${agentId} is not enrolled`;
    if (cached.record.revoked) return `agent ${agentId} was revoked`;
    if (!cached.record.tenantActive) return `the tenant of agent ${agentId} is suspended or archived`;
    return { agentId, tenantId: cached.record.tenantId };
  }

  async function handle(msg: JsMsg): Promise<void> {
    let identity: AgentIdentity | string;
    try {
      identity = await identify(msg.subject);
    } catch (error) {
      // The database is unreachable: hand the batch back for later.
      logger.warn({ err: error, subject: msg.subject }, 'Agent lookup failed; batch handed back');
      msg.nak(1_000);
      return;
    }
    if (typeof identity === 'string') {
      metrics.rejects.inc({ transport: 'nats', reason: 'agent_unknown' });
      logger.warn({ subject: msg.subject }, `Batch refused: ${identity}`);
      msg.term(identity);
      return;
    }
    const outcome = await options.ingest.ingest(identity, msg.data, 'nats');
    if (outcome.status === 'stored') {
      // Not ackAck(): waiting for the server to confirm each ack held a processing slot for a round trip.
      // An ack that is lost gets the batch redelivered after ack_wait, and storage skips it as a duplicate.
      msg.ack();
    } else if (outcome.status === 'retry') {
      msg.nak(outcome.rejection?.retryAfterMs ?? 1_000);
    } else {
      if (outcome.forbidden) agents.delete(identity.agentId);
      msg.term(outcome.rejection?.message.slice(0, 200));
    }
  }

  let messages: ConsumerMessages | undefined;
  let stopped = false;
  const running = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopped) {
      try {
        messages = await consumer.consume({ max_messages: Math.max(concurrency * 2, 16) });
        for await (const msg of messages) {
          const task = handle(msg).catch((error: unknown) => {
            logger.error({ err: error }, 'Batch handling failed; it will be redelivered');
          });
          running.add(task);
          void task.finally(() => running.delete(task));
          if (running.size >= concurrency) await Promise.race(running);
          await options.ingest.capacity();
          if (stopped) break;
        }
      } catch (error) {
        if (stopped) break;
        logger.warn({ err: error }, 'JetStream consumer interrupted; resuming');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  return {
    publish(subject, data) {
      if (!nc.isClosed()) nc.publish(subject, data);
    },
    async stop() {
      stopped = true;
      await messages?.close();
      await loop;
      await Promise.allSettled(running);
      metrics.connections.dec({ transport: 'nats' });
      await nc.drain().catch(() => nc.close());
    },
  };
}
