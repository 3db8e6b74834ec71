// Incidents: analysts group alerts into an incident, move it through its statuses, assign it and keep notes.
// Every change is appended to the incident's activity, audited, and announced (inosec_alert_updates).
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem } from '../http/problems.js';
import { SEVERITIES, type Severity } from './alert-schemas.js';
import { notifyChange } from './alert-updates.repository.js';
import { isTenantUser, listAlerts, setAlertsIncident } from './alerts.repository.js';
import {
  INCIDENT_TRANSITIONS,
  type CreateIncidentBody,
  type Incident,
  type IncidentDetail,
  type IncidentListQuery,
  type IncidentNote,
  type PatchIncidentBody,
  type TimelineEntry,
} from './incident-schemas.js';
import {
  getIncident,
  insertActivity,
  insertIncident,
  insertNote,
  listActivity,
  listIncidents,
  listNotes,
  updateIncident,
  type IncidentChanges,
} from './incidents.repository.js';
import { decodeCursor, encodeCursor } from './keyset-cursor.js';
import { eventsOfAlerts } from './matched-events.repository.js';
import { auditActor, type Actor } from './request-actor.js';

/** Most alerts an incident's detail lists, and most of their events its timeline merges. */
const DETAIL_ALERTS = 1000;
const TIMELINE_EVENTS = 1000;

@Injectable()
export class IncidentsService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** A page of the tenant's incidents, newest first. */
  list(actor: Actor, query: IncidentListQuery): Promise<{ items: Incident[]; nextCursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const filters = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.severity ? { severity: query.severity } : {}),
      ...(query.assigneeId ? { assigneeId: query.assigneeId } : {}),
    };
    return this.db.tx(actor, async (client) => {
      const page = await listIncidents(client, actor.tenantId, filters, after, query.limit);
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    });
  }

  /** Creates an incident, with the given alerts (its severity defaults to theirs, else medium). */
  async create(actor: Actor, body: CreateIncidentBody): Promise<Incident> {
    return this.db.tx(actor, async (client) => {
      const alertIds = [...new Set(body.alertIds ?? [])];
      const alerts = await this.lockAlerts(client, alertIds, null);
      const severity = body.severity ?? highest(alerts.map((a) => a.severity)) ?? 'medium';
      const id = await insertIncident(client, actor.tenantId, {
        title: body.title,
        description: body.description ?? '',
        severity,
        createdBy: actor.userId,
      });
      await insertActivity(client, actor.tenantId, id, actor.userId, 'created', {
        title: body.title,
        severity,
      });
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'incident.create',
        resourceType: 'incident',
        resourceId: id,
        outcome: 'success',
        details: { severity, alerts: alertIds.length },
      });
      if (alertIds.length > 0) await this.link(client, actor, id, alertIds);
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'incident',
        ids: [id],
        changed: ['created'],
      });
      return this.mustGet(client, id);
    });
  }

  /** The incident with its alerts, notes, activity and timeline. */
  async detail(actor: Actor, id: string): Promise<IncidentDetail> {
    return this.db.tx(actor, async (client) => {
      const incident = await this.mustGet(client, id);
      const alerts = await listAlerts(client, actor.tenantId, { incidentId: id }, undefined, DETAIL_ALERTS);
      const notes = await listNotes(client, id);
      const activity = await listActivity(client, id);
      const events = await eventsOfAlerts(
        client,
        alerts.items.map((a) => a.id),
        TIMELINE_EVENTS,
      );
      const timeline: TimelineEntry[] = [
        ...activity.map((entry): TimelineEntry => ({ type: 'activity', at: entry.at, activity: entry })),
        ...events.map(({ alertId, ...event }): TimelineEntry => ({
          type: 'event',
          at: event.time,
          alertId,
          event,
        })),
      ].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
      return { ...incident, alerts: alerts.items, notes, activity, timeline };
    });
  }

  /** Changes status (allowed transitions only), assignee, title, severity, description or resolution. */
  async update(actor: Actor, id: string, body: PatchIncidentBody): Promise<Incident> {
    return this.db.tx(actor, async (client) => {
      const current = await this.mustGet(client, id, true);
      const changes: IncidentChanges = {};
      const activity: Array<[string, Record<string, unknown>]> = [];
      if (body.status !== undefined && body.status !== current.status) {
        if (!INCIDENT_TRANSITIONS[current.status].includes(body.status)) {
          throw new ConflictProblem(
            `an incident that is ${current.status} cannot become ${body.status} (allowed: ${INCIDENT_TRANSITIONS[current.status].join(', ')})`,
            'invalid_incident_transition',
          );
        }
        changes.status = body.status;
        activity.push(['status_changed', { from: current.status, to: body.status }]);
      }
      if (body.assigneeId !== undefined && body.assigneeId !== (current.assignee?.id ?? null)) {
        if (body.assigneeId !== null && !(await isTenantUser(client, body.assigneeId))) {
          throw new UnprocessableProblem(
            'the assignee is not an active user of this tenant',
            [{ path: 'body.assigneeId', message: 'no active user of this tenant has this id' }],
            'unknown_assignee',
          );
        }
        changes.assigneeId = body.assigneeId;
        activity.push(['assignee_changed', { from: current.assignee?.id ?? null, to: body.assigneeId }]);
      }
      if (body.severity !== undefined && body.severity !== current.severity) {
        changes.severity = body.severity;
        activity.push(['severity_changed', { from: current.severity, to: body.severity }]);
      }
      if (body.title !== undefined && body.title !== current.title) {
        changes.title = body.title;
        activity.push(['title_changed', { from: current.title, to: body.title }]);
      }
      if (body.description !== undefined && body.description !== current.description) {
        changes.description = body.description;
        activity.push(['description_changed', {}]);
      }
      if (body.resolution !== undefined && body.resolution !== current.resolution) {
        changes.resolution = body.resolution;
        activity.push(['resolution_changed', {}]);
      }
      if (activity.length === 0) return current;
      await updateIncident(client, id, changes);
      for (const [kind, details] of activity) {
        await insertActivity(client, actor.tenantId, id, actor.userId, kind, details);
      }
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'incident.update',
        resourceType: 'incident',
        resourceId: id,
        outcome: 'success',
        details: Object.fromEntries(activity.map(([kind, details]) => [kind, details])),
      });
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'incident',
        ids: [id],
        changed: Object.keys(changes),
      });
      return this.mustGet(client, id);
    });
  }

  /** Adds alerts of the tenant to the incident (409 if one belongs to another incident). */
  async addAlerts(actor: Actor, id: string, alertIds: readonly string[]): Promise<Incident> {
    return this.db.tx(actor, async (client) => {
      await this.mustGet(client, id, true);
      const ids = [...new Set(alertIds)];
      const alerts = await this.lockAlerts(client, ids, id);
      const fresh = alerts.filter((a) => a.incidentId !== id).map((a) => a.id);
      if (fresh.length > 0) await this.link(client, actor, id, fresh);
      return this.mustGet(client, id);
    });
  }

  /** Removes an alert from the incident (404 when the alert is not in it). */
  async removeAlert(actor: Actor, id: string, alertId: string): Promise<Incident> {
    return this.db.tx(actor, async (client) => {
      await this.mustGet(client, id, true);
      const [alert] = await this.lockAlerts(client, [alertId], undefined);
      if (alert?.incidentId !== id) throw new NotFoundProblem('alert in this incident');
      await setAlertsIncident(client, [alertId], null);
      await insertActivity(client, actor.tenantId, id, actor.userId, 'alert_removed', { alertId });
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'incident.alert_remove',
        resourceType: 'incident',
        resourceId: id,
        outcome: 'success',
        details: { alertId },
      });
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'alert',
        ids: [alertId],
        changed: ['incidentId'],
      });
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'incident',
        ids: [id],
        changed: ['alerts'],
      });
      return this.mustGet(client, id);
    });
  }

  /** Adds a note (and a note_added activity). */
  async addNote(actor: Actor, id: string, body: string): Promise<IncidentNote> {
    return this.db.tx(actor, async (client) => {
      await this.mustGet(client, id);
      const note = await insertNote(client, actor.tenantId, id, actor.userId, body);
      await insertActivity(client, actor.tenantId, id, actor.userId, 'note_added', { noteId: note.id });
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'incident.note_add',
        resourceType: 'incident',
        resourceId: id,
        outcome: 'success',
        details: { noteId: note.id, length: body.length },
      });
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'incident',
        ids: [id],
        changed: ['notes'],
      });
      return note;
    });
  }

  private async mustGet(client: pg.ClientBase, id: string, lock = false): Promise<Incident> {
    const incident = await getIncident(client, id, lock);
    if (incident === undefined) throw new NotFoundProblem('incident');
    return incident;
  }

  /**
   * Locks and reads the given alerts of the tenant: 422 listing the ids the tenant has no alert for, and (when
   * `target` is not undefined) 409 for an alert already in another incident than `target`.
   */
  private async lockAlerts(
    client: pg.ClientBase,
    ids: readonly string[],
    target: string | null | undefined,
  ): Promise<Array<{ id: string; severity: Severity; incidentId: string | null }>> {
    if (ids.length === 0) return [];
    const { rows } = await client.query<{ id: string; severity: Severity; incident_id: string | null }>(
      'SELECT id, severity, incident_id FROM telemetry.alerts WHERE id = ANY($1::uuid[]) FOR UPDATE',
      [ids],
    );
    const found = new Set(rows.map((row) => row.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0 && target !== undefined) {
      throw new UnprocessableProblem(
        `${missing.length} of the alerts do not exist in this tenant`,
        missing.map((id) => ({ path: 'body.alertIds', message: `no alert ${id}` })),
        'unknown_alerts',
      );
    }
    if (target !== undefined) {
      const taken = rows.filter((row) => row.incident_id !== null && row.incident_id !== target);
      if (taken.length > 0) {
        throw new ConflictProblem(
          `${taken.length} of the alerts belong to another incident (remove them from it first): ${taken
            .slice(0, 5)
            .map((row) => row.id)
            .join(', ')}`,
          'alert_in_other_incident',
        );
      }
    }
    return rows.map((row) => ({ id: row.id, severity: row.severity, incidentId: row.incident_id }));
  }

  private async link(client: pg.ClientBase, actor: Actor, id: string, alertIds: string[]): Promise<void> {
    await setAlertsIncident(client, alertIds, id);
    await insertActivity(client, actor.tenantId, id, actor.userId, 'alert_added', { alertIds });
    await recordAudit(client, {
      ...auditActor(actor),
      action: 'incident.alert_add',
      resourceType: 'incident',
      resourceId: id,
      outcome: 'success',
      details: { alertIds },
    });
    await notifyChange(client, {
      tenantId: actor.tenantId,
      kind: 'alert',
      ids: alertIds,
      changed: ['incidentId'],
    });
    await notifyChange(client, {
      tenantId: actor.tenantId,
      kind: 'incident',
      ids: [id],
      changed: ['alerts'],
    });
  }
}

function highest(severities: readonly Severity[]): Severity | undefined {
  let best: Severity | undefined;
  for (const severity of severities) {
    if (best === undefined || SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(best)) best = severity;
  }
  return best;
}
