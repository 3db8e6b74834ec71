import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface CollectorMetrics {
  registry: Registry;
  /** Events stored, by transport. Its rate is the ingest rate. */
  events: Counter<'transport'>;
  /** Bytes of batches received, by transport. */
  bytes: Counter<'transport'>;
  /** Batches answered, by transport and outcome: stored, rejected, retry. */
  batches: Counter<'transport' | 'status'>;
  /** Refused batches by reason code: malformed, too_large, agent_mismatch, invalid_seq, invalid_time, ... */
  rejects: Counter<'transport' | 'reason'>;
  /** Events of re-sent batches that were already stored and were skipped. */
  duplicates: Counter<'transport'>;
  /** Events whose tenant_id the agent had set: overwritten with its authenticated tenant. */
  tenantOverwritten: Counter;
  /**
   * Events of accepted batches encoded by the reference decoder instead of straight from the wire (an
   * inventory snapshot, or input in a form the fast path does not read): a share that grows is a cost.
   */
  referencePathEvents: Counter;
  /** Time from receiving a batch to its commit. */
  commitSeconds: Histogram<'transport'>;
  /** Batches per write transaction: above 1 when group commit joins batches that arrived together. */
  transactionBatches: Histogram;
  /** Batches received and not answered yet, by transport. */
  queueDepth: Gauge<'transport'>;
  /** Open gRPC streams / NATS consumers. */
  connections: Gauge<'transport'>;
  /** Rule matches on stored events (before tenant settings and aggregation). */
  detectionHits: Counter;
  /** Alerts written, by ruleset (sigma, correlation) and whether new or merged into an open one. */
  alerts: Counter<'ruleset' | 'outcome'>;
  /** Batches whose detection failed (a rule or engine bug): stored, but not evaluated. */
  detectionErrors: Counter;
  /** Rules of the loaded rule set by state: loaded, unsupported, error (tenant rules included). */
  rules: Gauge<'state'>;
}

/** The collector's Prometheus registry. Pass an existing registry to add the ingest metrics to it. */
export function createCollectorMetrics(registry = new Registry(), defaults = true): CollectorMetrics {
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'inosec_collector_' });
  const registers = [registry];
  return {
    registry,
    events: new Counter({
      name: 'inosec_ingest_events_total',
      help: 'Events stored, by transport',
      labelNames: ['transport'] as const,
      registers,
    }),
    bytes: new Counter({
      name: 'inosec_ingest_bytes_total',
      help: 'Encoded batch bytes received, by transport',
      labelNames: ['transport'] as const,
      registers,
    }),
    batches: new Counter({
      name: 'inosec_ingest_batches_total',
      help: 'Batches answered, by transport and status (stored, rejected, retry)',
      labelNames: ['transport', 'status'] as const,
      registers,
    }),
    rejects: new Counter({
      name: 'inosec_ingest_rejects_total',
      help: 'Batches refused, by transport and reason',
      labelNames: ['transport', 'reason'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'inosec_ingest_duplicates_total',
      help: 'Events of re-sent batches already stored, dropped',
      labelNames: ['transport'] as const,
      registers,
    }),
    tenantOverwritten: new Counter({
      name: 'inosec_ingest_tenant_overwritten_total',
      help: 'Events that carried a tenant id other than their agent’s, overwritten',
      registers,
    }),
    referencePathEvents: new Counter({
      name: 'inosec_ingest_reference_path_events_total',
      help: 'Events of accepted batches encoded by the reference decoder, not straight from the wire',
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'inosec_ingest_commit_seconds',
      help: 'Time from receiving a batch to its commit',
      labelNames: ['transport'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    transactionBatches: new Histogram({
      name: 'inosec_ingest_transaction_batches',
      help: 'Batches committed per write transaction (group commit)',
      buckets: [1, 2, 4, 8, 16, 32],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'inosec_ingest_queue_depth',
      help: 'Batches received and not yet answered',
      labelNames: ['transport'] as const,
      registers,
    }),
    connections: new Gauge({
      name: 'inosec_ingest_connections',
      help: 'Open agent streams (gRPC) or consumers (NATS)',
      labelNames: ['transport'] as const,
      registers,
    }),
    detectionHits: new Counter({
      name: 'inosec_detection_hits_total',
      help: 'Detection rule matches on stored events',
      registers,
    }),
    alerts: new Counter({
      name: 'inosec_detection_alerts_total',
      help: 'Alerts written, by ruleset and outcome (new, merged)',
      labelNames: ['ruleset', 'outcome'] as const,
      registers,
    }),
    detectionErrors: new Counter({
      name: 'inosec_detection_errors_total',
      help: 'Batches whose detection failed (stored without evaluation)',
      registers,
    }),
    rules: new Gauge({
      name: 'inosec_detection_rules',
      help: 'Rules by load state: loaded, unsupported, error',
      labelNames: ['state'] as const,
      registers,
    }),
  };
}
