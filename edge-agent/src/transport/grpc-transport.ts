import * as grpc from '@grpc/grpc-js';
import { inosec, ingestPushRawDefinition, type PushAck } from '@inosec/protos';
import { TransportBase } from './transport-base.js';
import { BatchWindow, type InFlightBatch } from './batch-window.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_BATCH_LIMITS,
  backoffDelay,
  sleep,
  type TransportOptions,
} from './transport-types.js';

const Status = inosec.v1.PushAck.Status;

/** Header naming the agent on a plaintext stream (collector with INOSEC_GRPC_INSECURE=true: tests only). */
const INSECURE_AGENT_HEADER = 'x-inosec-agent-id';

export interface GrpcTlsFiles {
  /** PEM CA bundle the collector's certificate must chain to. */
  ca: Buffer;
  /** PEM client certificate (subject CN = agent id) and key, from enrollment. */
  cert: Buffer;
  key: Buffer;
}

export interface GrpcTransportOptions extends TransportOptions {
  /** host:port of the collector. */
  target: string;
  /** mTLS; without it the stream is plaintext (grpc:// URLs, tests on loopback only). */
  tls?: GrpcTlsFiles;
  compression?: 'gzip' | 'none';
}

class SessionEnd extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Ships the spool to a collector over one long-lived bidirectional Push stream: up to `window` batches in
 * flight, each answered in order; the spool is acknowledged as batches are stored (or refused for good and
 * quarantined). A RETRY answer, a stream error or a lost connection ends the session; the next one starts
 * after a backoff with jitter and resends everything after the spool's acknowledged seq.
 */
export class GrpcTransport extends TransportBase {
  private client: grpc.Client | undefined;

  constructor(private readonly options: GrpcTransportOptions) {
    super('grpc', options.spool);
  }

  private createClient(): grpc.Client {
    const { tls, compression } = this.options;
    const credentials = tls
      ? grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
      : grpc.credentials.createInsecure();
    return new grpc.Client(this.options.target, credentials, {
      'grpc.default_compression_algorithm': compression === 'none' ? 0 : 2,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': 1_048_576,
      // The transport does its own backoff between sessions.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  protected async loop(): Promise<void> {
    const { logger } = this.options;
    const backoff = { ...DEFAULT_BACKOFF, ...this.options.backoff };
    let failures = 0;
    this.client = this.createClient();
    try {
      while (!this.abort.signal.aborted) {
        const started = Date.now();
        let wait: number;
        try {
          await this.session();
          return;
        } catch (error) {
          if (this.abort.signal.aborted) return;
          const end = error instanceof SessionEnd ? error : new SessionEnd((error as Error).message);
          this.state.lastError = end.message;
          // A session that lasted was healthy: start the backoff over.
          if (Date.now() - started > 30_000) failures = 0;
          wait = end.retryAfterMs ?? backoffDelay(failures++, backoff);
          this.state.reconnects++;
          logger.warn({ waitMs: wait, reason: end.message }, 'Collector stream ended; reconnecting');
        }
        await sleep(wait, this.abort.signal);
      }
    } finally {
      this.state.connected = false;
      this.client.close();
    }
  }

  /** One stream: sends and settles batches until the stream ends (throws SessionEnd) or the agent stops. */
  private session(): Promise<void> {
    const { spool, logger, agentId } = this.options;
    const limits = { ...DEFAULT_BATCH_LIMITS, ...this.options.limits };
    const window = new BatchWindow(agentId, spool, this.options.host, limits);
    const metadata = new grpc.Metadata();
    if (!this.options.tls) metadata.set(INSECURE_AGENT_HEADER, agentId);
    const { push } = ingestPushRawDefinition;
    const call = (this.client as grpc.Client).makeBidiStreamRequest(
      push.path,
      push.requestSerialize,
      push.responseDeserialize,
      metadata,
    );
    const ended = new AbortController();
    const stopSession = () => ended.abort();
    this.abort.signal.addEventListener('abort', stopSession, { once: true });

    return new Promise<void>((resolve, reject) => {
      let failure: SessionEnd | undefined;
      const fail = (end: SessionEnd) => {
        failure ??= end;
        ended.abort();
      };
      let wakeSender: (() => void) | undefined;
      let answering = Promise.resolve();

      call.on('metadata', () => {
        this.state.connected = true;
      });
      call.on('data', (ack: PushAck) => {
        answering = answering
          .then(() => this.answer(window, ack))
          .catch((error: unknown) => {
            fail(
              error instanceof SessionEnd
                ? error
                : new SessionEnd(`ack handling failed: ${(error as Error).message}`),
            );
          });
        void answering.then(() => wakeSender?.());
      });
      call.on('error', (error: grpc.ServiceError) => {
        fail(new SessionEnd(`${grpc.status[error.code] ?? error.code}: ${error.details || error.message}`));
      });
      call.on('end', () => fail(new SessionEnd('the collector ended the stream')));

      /** Resolves once `arm`'s callback is called or the session ends, and leaves no listener behind. */
      const until = (arm: (done: () => void) => () => void) =>
        new Promise<void>((resolve) => {
          const done = () => {
            ended.signal.removeEventListener('abort', done);
            disarm();
            resolve();
          };
          ended.signal.addEventListener('abort', done, { once: true });
          const disarm = arm(done);
        });

      const send = async () => {
        while (!ended.signal.aborted) {
          if (window.full) {
            await until((wake) => {
              wakeSender = wake;
              return () => (wakeSender = undefined);
            });
            continue;
          }
          const batch = await window.next();
          if (!batch) {
            await spool.waitForData(window.nextAfter, ended.signal);
            continue;
          }
          this.state.batchesSent++;
          if (!call.write(batch.bytes)) {
            await until((drained) => {
              call.once('drain', drained);
              return () => call.removeListener('drain', drained);
            });
          }
        }
      };
      send()
        .catch((error: unknown) => fail(new SessionEnd(`sending failed: ${(error as Error).message}`)))
        .finally(() => {
          this.abort.signal.removeEventListener('abort', stopSession);
          this.state.connected = false;
          call.removeAllListeners('data');
          call.on('error', () => undefined);
          call.cancel();
          void answering.finally(() => {
            if (this.abort.signal.aborted) resolve();
            else reject(failure ?? new SessionEnd('stream ended'));
            logger.debug({ inFlight: window.size }, 'Collector session ended');
          });
        });
    });
  }

  /** Handles one ack: it answers the oldest unanswered batch (acks come in send order). */
  private async answer(window: BatchWindow, ack: PushAck): Promise<void> {
    const batch: InFlightBatch | undefined = window.oldestUnanswered();
    if (!batch) throw new SessionEnd('the collector acknowledged a batch that was not sent');
    if (ack.batchId !== '' && ack.batchId !== batch.batchId) {
      throw new SessionEnd(`ack for ${ack.batchId} while ${batch.batchId} was expected`);
    }
    const { logger, spool } = this.options;
    switch (ack.status) {
      case Status.STATUS_STORED:
        break;
      case Status.STATUS_REJECTED: {
        const reason = `${inosec.v1.PushRejection.Reason[ack.rejection?.reason ?? 0]}: ${ack.rejection?.message ?? ''}`;
        this.state.batchesRejected++;
        this.state.eventsRejected += batch.events;
        logger.error(
          { batchId: batch.batchId, events: batch.events, reason },
          'The collector refused a batch for good; it is quarantined',
        );
        await spool.quarantine(await window.recordsOf(batch), reason);
        break;
      }
      case Status.STATUS_RETRY: {
        this.state.retries++;
        throw new SessionEnd(
          `collector asked to retry: ${ack.rejection?.message ?? 'transient failure'}`,
          ack.rejection?.retryAfterMs || 1_000,
        );
      }
      default:
        throw new SessionEnd(`unknown ack status ${ack.status}`);
    }
    const acked = await window.settle(batch);
    this.acknowledged(acked);
  }
}
