// Alert triage: the queue, one alert with its events, and the state changes analysts make (assign,
// acknowledge, close with a reason, reopen; one by one or in bulk). Every change is checked against the
// alert's status, audited and announced (inosec_alert_updates) in the transaction that makes it.
import { Inject, Injectable } from '@nestjs/common';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem } from '../http/problems.js';
import type {
  AlertCounts,
  AlertDetail,
  AlertFilters,
  AlertItem,
  BulkBody,
  CloseReason,
} from './alert-schemas.js';
import { notifyChange } from './alert-updates.repository.js';
import {
  alertDetail,
  alertItems,
  changeAlerts,
  countAlerts,
  isTenantUser,
  listAlerts,
  type AlertChange,
  type ChangeOutcome,
} from './alerts.repository.js';
import { decodeCursor, encodeCursor } from './keyset-cursor.js';
import { auditActor, isUniqueViolation, type Actor } from './request-actor.js';
import type pg from 'pg';

/** One id's outcome in a bulk change. */
export interface BulkOutcome {
  id: string;
  outcome: 'updated' | 'not_found' | 'conflict';
  status?: AlertItem['status'];
}

const CHANGED_FIELDS: Record<AlertChange['kind'], string[]> = {
  acknowledge: ['status', 'acknowledgedAt'],
  close: ['status', 'closedAt', 'closeReason'],
  reopen: ['status', 'closedAt', 'closeReason'],
  assign: ['assignee'],
};

@Injectable()
export class AlertsService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** A page of the tenant's alerts, newest last seen first. */
  list(
    actor: Actor,
    filters: AlertFilters,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AlertItem[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // One plan for every tenant and filter value: the newest alerts of a tenant by index whatever the values.
    return this.db.read(
      actor,
      async (client) => {
        const page = await listAlerts(client, actor.tenantId, filters, after, limit);
        return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
      },
      { plan: 'generic' },
    );
  }

  /** Counts by severity and status under the filters. */
  counts(actor: Actor, filters: AlertFilters): Promise<AlertCounts> {
    return this.db.read(actor, (client) => countAlerts(client, actor.tenantId, filters), { plan: 'generic' });
  }

  /** One alert with its stored events; 404 when the tenant has none with that id. */
  async detail(actor: Actor, id: string): Promise<AlertDetail> {
    const alert = await this.db.read(actor, (client) => alertDetail(client, id));
    if (alert === undefined) throw new NotFoundProblem('alert');
    return alert;
  }

  /** Assigns the alert to a user of the tenant, or unassigns it (null). */
  async assign(actor: Actor, id: string, assigneeId: string | null): Promise<AlertItem> {
    return this.changeOne(actor, id, { kind: 'assign', assigneeId }, 'alert.assign', { assigneeId });
  }

  /** new → acknowledged. */
  acknowledge(actor: Actor, id: string): Promise<AlertItem> {
    return this.changeOne(actor, id, { kind: 'acknowledge', userId: actor.userId }, 'alert.acknowledge', {});
  }

  /** new | acknowledged → closed, with a reason. */
  close(actor: Actor, id: string, reason: CloseReason, comment: string | undefined): Promise<AlertItem> {
    return this.changeOne(
      actor,
      id,
      { kind: 'close', userId: actor.userId, reason, comment: comment ?? null },
      'alert.close',
      { reason, ...(comment !== undefined ? { comment: comment.slice(0, 500) } : {}) },
    );
  }

  /** closed → acknowledged (if it was) or new. */
  reopen(actor: Actor, id: string): Promise<AlertItem> {
    return this.changeOne(actor, id, { kind: 'reopen' }, 'alert.reopen', {});
  }

  /** Applies one action to up to 500 alerts in one transaction; each id gets its outcome. */
  async bulk(actor: Actor, body: BulkBody): Promise<{ results: BulkOutcome[]; updated: number }> {
    const ids = [...new Set(body.ids)];
    const change: AlertChange =
      body.action === 'acknowledge'
        ? { kind: 'acknowledge', userId: actor.userId }
        : body.action === 'close'
          ? {
              kind: 'close',
              userId: actor.userId,
              reason: body.reason ?? 'other',
              comment: body.comment ?? null,
            }
          : { kind: 'assign', assigneeId: body.assigneeId ?? null };
    return this.db.tx(actor, async (client) => {
      if (change.kind === 'assign') await this.checkAssignee(client, change.assigneeId);
      const outcome = await changeAlerts(client, ids, change);
      await this.record(client, actor, change, outcome, `alert.${body.action}`, {
        bulk: true,
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.assigneeId !== undefined ? { assigneeId: body.assigneeId } : {}),
      });
      const after = new Map(outcome.changed.map((c) => [c.id, c.after]));
      const conflicts = new Map(outcome.conflicts.map((c) => [c.id, c.status]));
      const results = ids.map((id): BulkOutcome => {
        const status = after.get(id);
        if (status !== undefined) return { id, outcome: 'updated', status };
        const current = conflicts.get(id);
        if (current !== undefined) return { id, outcome: 'conflict', status: current };
        return { id, outcome: 'not_found' };
      });
      return { results, updated: outcome.changed.length };
    });
  }

  private async changeOne(
    actor: Actor,
    id: string,
    change: AlertChange,
    action: string,
    details: Record<string, unknown>,
  ): Promise<AlertItem> {
    return this.db.tx(actor, async (client) => {
      if (change.kind === 'assign') await this.checkAssignee(client, change.assigneeId);
      let outcome: ChangeOutcome;
      try {
        outcome = await changeAlerts(client, [id], change);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictProblem(
            'an open alert with the same dedupe key exists (a later detection of this rule and host); work that one',
            'alert_reopen_conflict',
          );
        }
        throw error;
      }
      if (outcome.missing.length > 0) throw new NotFoundProblem('alert');
      const conflict = outcome.conflicts[0];
      if (conflict !== undefined) {
        throw new ConflictProblem(
          `cannot ${change.kind} an alert that is ${conflict.status}`,
          'invalid_alert_transition',
        );
      }
      await this.record(client, actor, change, outcome, action, details);
      const [item] = await alertItems(client, [id]);
      if (item === undefined) throw new NotFoundProblem('alert');
      return item;
    });
  }

  private async checkAssignee(client: pg.ClientBase, assigneeId: string | null): Promise<void> {
    if (assigneeId !== null && !(await isTenantUser(client, assigneeId))) {
      throw new UnprocessableProblem(
        'the assignee is not an active user of this tenant',
        [{ path: 'body.assigneeId', message: 'no active user of this tenant has this id' }],
        'unknown_assignee',
      );
    }
  }

  /** One audit entry per changed alert, and one notification for them all. */
  private async record(
    client: pg.ClientBase,
    actor: Actor,
    change: AlertChange,
    outcome: ChangeOutcome,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    for (const changed of outcome.changed) {
      await recordAudit(client, {
        ...auditActor(actor),
        action,
        resourceType: 'alert',
        resourceId: changed.id,
        outcome: 'success',
        details: { ...details, from: changed.before, to: changed.after },
      });
    }
    if (outcome.changed.length > 0) {
      await notifyChange(client, {
        tenantId: actor.tenantId,
        kind: 'alert',
        ids: outcome.changed.map((c) => c.id),
        changed: CHANGED_FIELDS[change.kind],
      });
    }
  }
}
