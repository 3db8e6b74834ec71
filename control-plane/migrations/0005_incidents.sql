-- Incidents: analysts group related alerts into an incident, work it through its statuses, and keep notes; its
-- activity is the timeline of what happened to it. Tenant tables under Row Level Security with FORCE. Alerts
-- live in the telemetry stream (telemetry.alerts.incident_id, collector 0004): no foreign key across streams,
-- the API checks an alert exists in the tenant before linking it.

CREATE TABLE inosec.incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  -- Per-tenant human number (#1, #2, ...), assigned under an advisory lock on the tenant.
  number integer NOT NULL CHECK (number >= 1),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  severity text NOT NULL DEFAULT 'medium'
    CHECK (severity IN ('informational', 'low', 'medium', 'high', 'critical')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'contained', 'resolved', 'closed')),
  assignee_id uuid,
  created_by uuid,
  resolution text CHECK (length(resolution) <= 10000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  closed_at timestamptz,
  UNIQUE (tenant_id, number),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES inosec.users (tenant_id, id) ON DELETE SET NULL (assignee_id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES inosec.users (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX incidents_tenant_created ON inosec.incidents (tenant_id, created_at DESC, id DESC);
CREATE INDEX incidents_tenant_status ON inosec.incidents (tenant_id, status, created_at DESC, id DESC);

CREATE TABLE inosec.incident_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  incident_id uuid NOT NULL,
  author_id uuid,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES inosec.incidents (tenant_id, id),
  FOREIGN KEY (tenant_id, author_id) REFERENCES inosec.users (tenant_id, id) ON DELETE SET NULL (author_id)
);
CREATE INDEX incident_notes_incident ON inosec.incident_notes (tenant_id, incident_id, created_at);

-- Append-only timeline: created, alert_added, alert_removed, status_changed, assignee_changed,
-- severity_changed, title_changed, description_changed, note_added. `details` holds ids and old/new values.
CREATE TABLE inosec.incident_activity (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  incident_id uuid NOT NULL,
  actor_id uuid,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{1,40}$'),
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object' AND length(details::text) <= 16384),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, incident_id) REFERENCES inosec.incidents (tenant_id, id)
);
CREATE INDEX incident_activity_incident ON inosec.incident_activity (tenant_id, incident_id, at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['incidents', 'incident_notes', 'incident_activity'] LOOP
    EXECUTE format('ALTER TABLE inosec.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE inosec.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON inosec.%I TO inosec_app
      USING (tenant_id = inosec.current_tenant_id()) WITH CHECK (tenant_id = inosec.current_tenant_id())', t);
  END LOOP;
END
$$;

GRANT SELECT ON inosec.incidents TO inosec_app;
GRANT INSERT (tenant_id, number, title, description, severity, status, assignee_id, created_by)
  ON inosec.incidents TO inosec_app;
GRANT UPDATE (title, description, severity, status, assignee_id, resolution, updated_at, resolved_at, closed_at)
  ON inosec.incidents TO inosec_app;
GRANT SELECT ON inosec.incident_notes TO inosec_app;
GRANT INSERT (tenant_id, incident_id, author_id, body) ON inosec.incident_notes TO inosec_app;
GRANT SELECT ON inosec.incident_activity TO inosec_app;
GRANT INSERT (tenant_id, incident_id, actor_id, kind, details) ON inosec.incident_activity TO inosec_app;
