-- Detection: alerts raised by the collector in the transaction that stores their events, merged by dedupe key,
-- and the tenants' rule settings (shipped rules disabled, their own rules added).

-- An open alert (not closed) is unique per tenant and dedupe key: repeated detections update it (count,
-- first/last seen, the first 100 events); once closed, the next detection opens a new alert.
CREATE UNIQUE INDEX alerts_open_dedupe ON telemetry.alerts (tenant_id, dedupe_key) WHERE status <> 'closed';
-- A correlation's group (group-by field → value).
ALTER TABLE telemetry.alerts ADD COLUMN group_by jsonb;

-- The ingest role no longer inserts alerts directly: it calls raise_alerts, which inserts or merges and
-- cannot change anything else of an alert (status, assignment, notes are the analysts').
REVOKE INSERT ON telemetry.alerts FROM inosec_ingest;
DROP POLICY alerts_ingest ON telemetry.alerts;
-- raise_alerts runs as this migration's role; under FORCE ROW LEVEL SECURITY it needs its own policy, held to
-- the transaction's tenant like every other (superusers bypass it anyway).
CREATE POLICY alerts_definer ON telemetry.alerts TO CURRENT_USER
  USING (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);

-- Raises the alerts of the transaction's tenant (set_config('inosec.tenant_id', …, true)): each element of
-- `alerts` is one alert as the collector's detection built it (keys as the recordset below; events as
-- [{agent_id, seq, time}], oldest first). An open alert with the same dedupe key is merged: count added,
-- first/last seen widened, events appended up to 100, severity raised if higher. Notifies the channel
-- inosec_alerts per alert (delivered at commit: listeners never see an alert that was rolled back).
CREATE FUNCTION telemetry.raise_alerts(alerts jsonb)
  RETURNS TABLE (id uuid, dedupe_key text, inserted boolean, count bigint)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := nullif(current_setting('inosec.tenant_id', true), '')::uuid;
  ranks constant text[] := ARRAY['informational', 'low', 'medium', 'high', 'critical'];
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'raise_alerts needs inosec.tenant_id set for the transaction' USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(alerts) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'raise_alerts takes a JSON array' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
  WITH merged AS (
    INSERT INTO telemetry.alerts AS a (tenant_id, agent_id, rule_id, rule_name, ruleset, severity, title,
      description, tactics, techniques, tags, host_name, host_id, dedupe_key, first_seen, last_seen, count,
      events, group_by)
    SELECT tenant, r.agent_id, r.rule_id, r.rule_name, r.ruleset, r.severity, r.title, r.description,
      coalesce(r.tactics, '{}'), coalesce(r.techniques, '{}'), coalesce(r.tags, '{}'), r.host_name, r.host_id,
      r.dedupe_key, r.first_seen, r.last_seen, r.count, coalesce(r.events, '[]'), r.group_by
    FROM jsonb_to_recordset(alerts) AS r (agent_id text, rule_id text, rule_name text, ruleset text,
      severity text, title text, description text, tactics text[], techniques text[], tags text[],
      host_name text, host_id text, dedupe_key text, first_seen timestamptz, last_seen timestamptz,
      count bigint, events jsonb, group_by jsonb)
    ON CONFLICT (tenant_id, dedupe_key) WHERE status <> 'closed' DO UPDATE SET
      count = a.count + excluded.count,
      first_seen = least(a.first_seen, excluded.first_seen),
      last_seen = greatest(a.last_seen, excluded.last_seen),
      events = CASE WHEN jsonb_array_length(a.events) >= 100 THEN a.events ELSE (
        SELECT coalesce(jsonb_agg(x.e ORDER BY x.o), '[]'::jsonb)
        FROM jsonb_array_elements(a.events || excluded.events) WITH ORDINALITY AS x (e, o) WHERE x.o <= 100)
      END,
      severity = CASE WHEN array_position(ranks, excluded.severity) > array_position(ranks, a.severity)
        THEN excluded.severity ELSE a.severity END,
      group_by = coalesce(excluded.group_by, a.group_by),
      updated_at = now()
    RETURNING a.id, a.dedupe_key, (a.xmax = 0) AS inserted, a.count
  )
  SELECT m.id, m.dedupe_key, m.inserted, m.count FROM merged m;
  PERFORM pg_notify('inosec_alerts', json_build_object('tenant_id', tenant, 'count', jsonb_array_length(alerts))::text);
END
$$;
REVOKE ALL ON FUNCTION telemetry.raise_alerts(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.raise_alerts(jsonb) TO inosec_ingest;

-- Per tenant: a shipped rule switched off (enabled = false, source NULL), or the tenant's own rule (source:
-- its Sigma YAML, validated by the control plane before it is stored). rule_key is the rule's id (or
-- `title:<title>` for a rule without one). The collectors read every tenant's rows and reload on change.
CREATE TABLE telemetry.tenant_rules (
  tenant_id uuid NOT NULL,
  rule_key text NOT NULL CHECK (length(rule_key) BETWEEN 1 AND 300),
  enabled boolean NOT NULL DEFAULT true,
  source text CHECK (source IS NULL OR length(source) <= 262144),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rule_key)
);
ALTER TABLE telemetry.tenant_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.tenant_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rules_tenant ON telemetry.tenant_rules TO inosec_app
  USING (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);
CREATE POLICY tenant_rules_ingest ON telemetry.tenant_rules FOR SELECT TO inosec_ingest USING (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON telemetry.tenant_rules TO inosec_app;
GRANT SELECT ON telemetry.tenant_rules TO inosec_ingest;

-- Correlation state a collector saves (every minute and when it stops) and takes back when it starts: the
-- open windows of every tenant's correlation rules (docs/detection.md says what survives a restart). Read and
-- written by the ingest role only.
CREATE TABLE telemetry.detection_state (
  collector_id text PRIMARY KEY CHECK (length(collector_id) BETWEEN 1 AND 200),
  taken_at timestamptz NOT NULL,
  state jsonb NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON telemetry.detection_state TO inosec_ingest;
