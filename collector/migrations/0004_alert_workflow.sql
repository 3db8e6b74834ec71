-- Alert triage: who works an alert (assignee), when it was acknowledged and closed, why, and the incident it
-- belongs to; suppressions that stop a rule from raising alerts for a host or the whole tenant. The control
-- plane's application role writes the triage columns (column grants: nothing else of an alert); the ingest
-- role still only calls raise_alerts, which now skips suppressed detections and counts them instead.

ALTER TABLE telemetry.alerts
  ADD COLUMN assignee_id uuid,
  ADD COLUMN acknowledged_at timestamptz,
  ADD COLUMN acknowledged_by uuid,
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN closed_by uuid,
  ADD COLUMN close_reason text
    CHECK (close_reason IN ('true_positive', 'false_positive', 'benign', 'duplicate', 'other')),
  ADD COLUMN close_comment text CHECK (length(close_comment) <= 4000),
  -- inosec.incidents (control plane stream): no foreign key across the streams; the API checks it.
  ADD COLUMN incident_id uuid;

GRANT UPDATE (status, updated_at, assignee_id, acknowledged_at, acknowledged_by, closed_at, closed_by,
  close_reason, close_comment, incident_id) ON telemetry.alerts TO inosec_app;

-- The console's queue: a tenant's alerts of some statuses, newest first, with (last_seen, id) as the keyset.
CREATE INDEX alerts_tenant_status_last_seen ON telemetry.alerts (tenant_id, status, last_seen DESC, id DESC);
-- The keyset without a status filter.
CREATE INDEX alerts_tenant_last_seen_id ON telemetry.alerts (tenant_id, last_seen DESC, id DESC);
DROP INDEX telemetry.alerts_tenant_last_seen;
-- "Assigned to me" and an incident's alerts.
CREATE INDEX alerts_tenant_assignee ON telemetry.alerts (tenant_id, assignee_id, last_seen DESC)
  WHERE assignee_id IS NOT NULL;
CREATE INDEX alerts_tenant_incident ON telemetry.alerts (tenant_id, incident_id) WHERE incident_id IS NOT NULL;

-- A rule silenced for one host (host_name, compared case-insensitively) or the whole tenant (host_name NULL),
-- until expires_at (NULL: until deleted). raise_alerts drops a matching detection and counts it here.
CREATE TABLE telemetry.alert_suppressions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  rule_id text NOT NULL CHECK (length(rule_id) BETWEEN 1 AND 300),
  host_name text CHECK (length(host_name) BETWEEN 1 AND 255),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  suppressed_count bigint NOT NULL DEFAULT 0 CHECK (suppressed_count >= 0),
  last_suppressed_at timestamptz
);
CREATE INDEX alert_suppressions_tenant_rule ON telemetry.alert_suppressions (tenant_id, rule_id);
CREATE INDEX alert_suppressions_tenant_created ON telemetry.alert_suppressions (tenant_id, created_at DESC, id DESC);
ALTER TABLE telemetry.alert_suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry.alert_suppressions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON telemetry.alert_suppressions TO inosec_app
  USING (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);
-- Collectors may read every tenant's suppressions (to skip work early), like tenant_rules.
CREATE POLICY alert_suppressions_ingest ON telemetry.alert_suppressions FOR SELECT TO inosec_ingest USING (true);
-- raise_alerts (SECURITY DEFINER, this migration's role) reads and counts the transaction tenant's only.
CREATE POLICY alert_suppressions_definer ON telemetry.alert_suppressions TO CURRENT_USER
  USING (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('inosec.tenant_id', true), '')::uuid);
GRANT SELECT, DELETE ON telemetry.alert_suppressions TO inosec_app;
GRANT INSERT (tenant_id, rule_id, host_name, reason, created_by, expires_at) ON telemetry.alert_suppressions
  TO inosec_app;
GRANT SELECT ON telemetry.alert_suppressions TO inosec_ingest;

-- raise_alerts as in 0002, plus: a detection matching a live suppression of the tenant (same rule_id, and the
-- same host when the suppression names one) is not raised; the suppression's suppressed_count (by the
-- detections' count) and last_suppressed_at are updated instead. The notification on inosec_alerts now also
-- lists the ids raised (`created`) and merged (`updated`), at most 80 of each per notification (payloads stay
-- under PostgreSQL's 8000 bytes); nothing is notified when every detection was suppressed.
CREATE OR REPLACE FUNCTION telemetry.raise_alerts(alerts jsonb)
  RETURNS TABLE (id uuid, dedupe_key text, inserted boolean, count bigint)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := nullif(current_setting('inosec.tenant_id', true), '')::uuid;
  ranks constant text[] := ARRAY['informational', 'low', 'medium', 'high', 'critical'];
  chunk constant integer := 80;
  created uuid[] := '{}';
  updated uuid[] := '{}';
  raised record;
  part integer := 0;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'raise_alerts needs inosec.tenant_id set for the transaction' USING ERRCODE = '42501';
  END IF;
  IF jsonb_typeof(alerts) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'raise_alerts takes a JSON array' USING ERRCODE = '22023';
  END IF;

  FOR raised IN
    WITH input AS MATERIALIZED (
      SELECT r.*, (
          SELECT s.id FROM telemetry.alert_suppressions s
           WHERE s.tenant_id = tenant AND s.rule_id = r.rule_id
             AND (s.expires_at IS NULL OR s.expires_at > now())
             AND (s.host_name IS NULL OR lower(s.host_name) = lower(r.host_name))
           ORDER BY s.host_name NULLS LAST, s.created_at LIMIT 1) AS suppression
      FROM jsonb_to_recordset(alerts) AS r (agent_id text, rule_id text, rule_name text, ruleset text,
        severity text, title text, description text, tactics text[], techniques text[], tags text[],
        host_name text, host_id text, dedupe_key text, first_seen timestamptz, last_seen timestamptz,
        count bigint, events jsonb, group_by jsonb)
    ), counted AS (
      UPDATE telemetry.alert_suppressions s
         SET suppressed_count = s.suppressed_count + hit.n, last_suppressed_at = now()
        FROM (SELECT i.suppression, sum(coalesce(i.count, 1)) AS n FROM input i
               WHERE i.suppression IS NOT NULL GROUP BY i.suppression) hit
       WHERE s.id = hit.suppression AND s.tenant_id = tenant
      RETURNING s.id
    )
    INSERT INTO telemetry.alerts AS a (tenant_id, agent_id, rule_id, rule_name, ruleset, severity, title,
      description, tactics, techniques, tags, host_name, host_id, dedupe_key, first_seen, last_seen, count,
      events, group_by)
    SELECT tenant, r.agent_id, r.rule_id, r.rule_name, r.ruleset, r.severity, r.title, r.description,
      coalesce(r.tactics, '{}'), coalesce(r.techniques, '{}'), coalesce(r.tags, '{}'), r.host_name, r.host_id,
      r.dedupe_key, r.first_seen, r.last_seen, r.count, coalesce(r.events, '[]'), r.group_by
    FROM input r WHERE r.suppression IS NULL
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
  LOOP
    id := raised.id;
    dedupe_key := raised.dedupe_key;
    inserted := raised.inserted;
    count := raised.count;
    RETURN NEXT;
    IF raised.inserted THEN created := created || raised.id; ELSE updated := updated || raised.id; END IF;
  END LOOP;

  WHILE part * chunk < greatest(cardinality(created), cardinality(updated)) LOOP
    PERFORM pg_notify('inosec_alerts', json_build_object(
      'tenant_id', tenant,
      'count', cardinality(created) + cardinality(updated),
      'created', coalesce(created[part * chunk + 1 : (part + 1) * chunk], '{}'),
      'updated', coalesce(updated[part * chunk + 1 : (part + 1) * chunk], '{}'))::text);
    part := part + 1;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION telemetry.raise_alerts(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.raise_alerts(jsonb) TO inosec_ingest;
