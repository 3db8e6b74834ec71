-- Telemetry: what agents send, stored by the collector's ingest role and read by the application role only
-- through security_barrier views filtered on the transaction's tenant. Landed migrations are immutable: change
-- the schema with a new file.
--
-- Two storage paths, chosen here once:
--   * TimescaleDB present (installed, or available and preloaded): hypertables with 1-day chunks, compression
--     segmented by tenant and agent, retention policies, a 1-minute continuous aggregate of host metrics.
--   * Otherwise: native range partitioning by day; telemetry.maintain() creates partitions ahead and drops
--     those past the retention (the collector calls it at start and every hour).
-- TimescaleDB refuses Row Level Security together with compression and continuous aggregates, and chunks do
-- not inherit it, so isolation does not rest on RLS here: the application role has no privilege on any table,
-- partition or chunk of this schema and reads through the views in tenant_telemetry (DESIGN.md).

-- The group roles also exist when this stream runs before the control plane's.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inosec_app') THEN
    CREATE ROLE inosec_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inosec_ingest') THEN
    CREATE ROLE inosec_ingest NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
     AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' THEN
    CREATE EXTENSION timescaledb;
  END IF;
END
$$;

CREATE SCHEMA telemetry;
REVOKE ALL ON SCHEMA telemetry FROM PUBLIC;
GRANT USAGE ON SCHEMA telemetry TO inosec_ingest;

-- Which storage path this database took, for the collector's log and /metrics.
CREATE FUNCTION telemetry.storage_mode() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
                    THEN 'timescaledb' ELSE 'partitioned' END $$;

-- Enrolled agents: identity → tenant, and which seqs are stored. `committed` is the set of seq ranges stored
-- for the agent; a batch locks its agent's row, stores only the seqs outside it and adds its own range, in the
-- same transaction as the rows: re-sent and reordered batches are stored exactly once. In steady state it is
-- one range [1, n]; it keeps a gap only where the agent itself dropped events (spool full) or quarantined a
-- batch the collector rejected.
CREATE TABLE telemetry.agents (
  agent_id text PRIMARY KEY CHECK (agent_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  tenant_id uuid NOT NULL,
  committed int8multirange NOT NULL DEFAULT '{}',
  last_batch_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_tenant ON telemetry.agents (tenant_id);
GRANT SELECT, UPDATE (committed, last_batch_at) ON telemetry.agents TO inosec_ingest;

-- The telemetry tables. Each row carries (tenant_id, agent_id, seq) and the time of the event; typed columns
-- hold what hunts, detections and dashboards filter on, `data` the whole payload as proto3 JSON. `data` is
-- json, not jsonb: jsonb's conversion on input cost 40% of the COPY throughput (docs/benchmarks.md), and
-- queries filter on the typed columns first. One index per table (tenant, time): each further index cost
-- about 15% of COPY throughput; stored events are found by time range (an alert's first/last seen).
DO $$
DECLARE
  timescale boolean := telemetry.storage_mode() = 'timescaledb';
  partitioning text := CASE WHEN timescale THEN '' ELSE ' PARTITION BY RANGE (time)' END;
  envelope text := 'tenant_id uuid NOT NULL, agent_id text NOT NULL, seq bigint NOT NULL,
    time timestamptz NOT NULL, observed_time timestamptz NOT NULL,
    ingest_time timestamptz NOT NULL DEFAULT now(), sensor text NOT NULL,
    host_name text, host_id text, ';
  t text;
BEGIN
  EXECUTE 'CREATE TABLE telemetry.events (' || envelope || '
    kind text NOT NULL CHECK (kind IN (''process'', ''file'', ''auth'', ''log'', ''inventory'')),
    action text, outcome text, user_name text,
    process_pid integer, process_name text, process_executable text, process_command_line text,
    process_entity_id text, parent_entity_id text,
    source_ip inet, file_path text, hash_sha256 text, message text,
    data json NOT NULL)' || partitioning;

  EXECUTE 'CREATE TABLE telemetry.network_events (' || envelope || '
    kind text NOT NULL, transport text, direction text,
    source_ip inet, source_port integer, destination_ip inet, destination_port integer,
    bytes_in bigint, bytes_out bigint, packets_in bigint, packets_out bigint,
    community_id text, application_protocol text,
    process_pid integer, process_name text, process_entity_id text,
    data json NOT NULL)' || partitioning;

  EXECUTE 'CREATE TABLE telemetry.metrics (' || envelope || '
    name text NOT NULL, value double precision NOT NULL, unit text, metric_kind text,
    attributes json NOT NULL DEFAULT ''{}'')' || partitioning;

  EXECUTE 'CREATE TABLE telemetry.ot_transactions (' || envelope || '
    protocol text NOT NULL, operation text, function_code integer, function_name text, unit_id integer,
    source_ip inet, source_port integer, destination_ip inet, destination_port integer,
    result text, exception_code integer,
    data json NOT NULL)' || partitioning;

  CREATE INDEX events_tenant_time ON telemetry.events (tenant_id, time DESC);
  CREATE INDEX network_events_tenant_time ON telemetry.network_events (tenant_id, time DESC);
  CREATE INDEX metrics_tenant_agent_name_time ON telemetry.metrics (tenant_id, agent_id, name, time DESC);
  CREATE INDEX ot_transactions_tenant_time ON telemetry.ot_transactions (tenant_id, time DESC);

  IF timescale THEN
    FOREACH t IN ARRAY ARRAY['events', 'network_events', 'metrics', 'ot_transactions'] LOOP
      PERFORM create_hypertable(format('telemetry.%I', t)::regclass, 'time',
        chunk_time_interval => INTERVAL '1 day', create_default_indexes => false);
      EXECUTE format('ALTER TABLE telemetry.%I SET (timescaledb.compress,
        timescaledb.compress_segmentby = ''tenant_id, agent_id'', timescaledb.compress_orderby = ''time DESC, seq DESC'')', t);
      PERFORM add_compression_policy(format('telemetry.%I', t)::regclass, INTERVAL '2 days');
      PERFORM add_retention_policy(format('telemetry.%I', t)::regclass, INTERVAL '30 days');
    END LOOP;
    EXECUTE 'CREATE MATERIALIZED VIEW telemetry.host_metrics_1m WITH (timescaledb.continuous) AS
      SELECT tenant_id, agent_id, host_name, name, unit, time_bucket(INTERVAL ''1 minute'', time) AS bucket,
             avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS samples
      FROM telemetry.metrics GROUP BY tenant_id, agent_id, host_name, name, unit, bucket WITH NO DATA';
    PERFORM add_continuous_aggregate_policy('telemetry.host_metrics_1m',
      start_offset => INTERVAL '1 hour', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute');
  ELSE
    EXECUTE 'CREATE VIEW telemetry.host_metrics_1m AS
      SELECT tenant_id, agent_id, host_name, name, unit,
             date_bin(INTERVAL ''1 minute'', time, TIMESTAMPTZ ''2000-01-01 00:00:00+00'') AS bucket,
             avg(value) AS avg, min(value) AS min, max(value) AS max, count(*) AS samples
      FROM telemetry.metrics GROUP BY tenant_id, agent_id, host_name, name, unit, bucket';
  END IF;
END
$$;

GRANT INSERT ON telemetry.events, telemetry.network_events, telemetry.metrics, telemetry.ot_transactions
  TO inosec_ingest;

-- Partition maintenance for the native path: daily partitions from `retention_days` ago to `ahead_days`
-- ahead exist, older ones are dropped. SECURITY DEFINER so the ingest role can keep its tables in shape
-- without owning them; a no-op under TimescaleDB, whose policies do this. Returns what it did.
CREATE FUNCTION telemetry.maintain(retention_days integer DEFAULT 30, ahead_days integer DEFAULT 7)
  RETURNS TABLE (action text, partition text)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  t text;
  day date;
  first_day date := (now() AT TIME ZONE 'UTC')::date - retention_days;
  last_day date := (now() AT TIME ZONE 'UTC')::date + ahead_days;
  part record;
BEGIN
  IF retention_days < 1 OR retention_days > 3650 OR ahead_days < 1 OR ahead_days > 90 THEN
    RAISE EXCEPTION 'retention_days must be 1..3650 and ahead_days 1..90 (got %, %)', retention_days, ahead_days;
  END IF;
  IF telemetry.storage_mode() = 'timescaledb' THEN
    RETURN;
  END IF;
  -- One maintainer at a time (collectors start together); others wait, then find nothing to do.
  PERFORM pg_advisory_xact_lock(1005400002);
  FOREACH t IN ARRAY ARRAY['events', 'network_events', 'metrics', 'ot_transactions'] LOOP
    FOR part IN
      SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = format('telemetry.%I', t)::regclass
    LOOP
      -- Partition names end in _pYYYYMMDD (their first day, UTC).
      IF part.relname ~ '_p\d{8}$'
         AND to_date(right(part.relname, 8), 'YYYYMMDD') < first_day THEN
        EXECUTE format('DROP TABLE telemetry.%I', part.relname);
        action := 'dropped'; partition := part.relname; RETURN NEXT;
      END IF;
    END LOOP;
    day := first_day;
    WHILE day <= last_day LOOP
      IF to_regclass(format('telemetry.%I', t || '_p' || to_char(day, 'YYYYMMDD'))) IS NULL THEN
        EXECUTE format('CREATE TABLE telemetry.%I PARTITION OF telemetry.%I FOR VALUES FROM (%L) TO (%L)',
          t || '_p' || to_char(day, 'YYYYMMDD'), t,
          day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
        action := 'created'; partition := t || '_p' || to_char(day, 'YYYYMMDD'); RETURN NEXT;
      END IF;
      day := day + 1;
    END LOOP;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION telemetry.maintain(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.maintain(integer, integer) TO inosec_ingest;
SELECT count(*) FROM telemetry.maintain();

-- Alerts are business records (Row Level Security, updatable, never compressed). The ingest role may only
-- insert them, for the tenant its transaction is set to, in the transaction that stores the events that
-- raised them.
CREATE TABLE telemetry.alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  agent_id text,
  rule_id text NOT NULL,
  rule_name text NOT NULL,
  ruleset text NOT NULL,
  rule_version text,
  severity text NOT NULL CHECK (severity IN ('informational', 'low', 'medium', 'high', 'critical')),
  score double precision,
  title text NOT NULL,
  description text,
  tactics text[] NOT NULL DEFAULT '{}',
  techniques text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  host_name text,
  host_id text,
  dedupe_key text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  count bigint NOT NULL DEFAULT 1 CHECK (count >= 1),
  events jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_tenant_last_seen ON telemetry.alerts (tenant_id, last_seen DESC);
CREATE INDEX alerts_tenant_dedupe ON telemetry.alerts (tenant_id, dedupe_key);
ALTER TABLE telemetry.alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON telemetry.alerts TO inosec_app
  USING (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);
CREATE POLICY alerts_ingest ON telemetry.alerts FOR INSERT TO inosec_ingest
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);
GRANT INSERT ON telemetry.alerts TO inosec_ingest;

-- What the application role reads: one security_barrier view per table, filtered on the transaction's
-- tenant (set_config('inosec.tenant_id', $1, true)); with the setting unset they return nothing.
CREATE SCHEMA tenant_telemetry;
REVOKE ALL ON SCHEMA tenant_telemetry FROM PUBLIC;
GRANT USAGE ON SCHEMA tenant_telemetry TO inosec_app;
GRANT USAGE ON SCHEMA telemetry TO inosec_app;

CREATE VIEW tenant_telemetry.events WITH (security_barrier) AS
  SELECT * FROM telemetry.events WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
CREATE VIEW tenant_telemetry.network_events WITH (security_barrier) AS
  SELECT * FROM telemetry.network_events
  WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
CREATE VIEW tenant_telemetry.metrics WITH (security_barrier) AS
  SELECT * FROM telemetry.metrics WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
CREATE VIEW tenant_telemetry.ot_transactions WITH (security_barrier) AS
  SELECT * FROM telemetry.ot_transactions
  WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
CREATE VIEW tenant_telemetry.host_metrics_1m WITH (security_barrier) AS
  SELECT * FROM telemetry.host_metrics_1m
  WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
CREATE VIEW tenant_telemetry.agents WITH (security_barrier) AS
  SELECT agent_id, tenant_id, last_batch_at, revoked_at, created_at FROM telemetry.agents
  WHERE tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid;
GRANT SELECT ON ALL TABLES IN SCHEMA tenant_telemetry TO inosec_app;
GRANT SELECT, UPDATE (status, updated_at) ON telemetry.alerts TO inosec_app;
