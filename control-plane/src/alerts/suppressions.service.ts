// Suppressions: an analyst silences a rule for one host or the whole tenant, for a while or until deleted.
// Creating one may close the open alerts it covers. Audited and announced like every alert change.
import { Inject, Injectable } from '@nestjs/common';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, InvalidRequestProblem, NotFoundProblem } from '../http/problems.js';
import type { CloseReason } from './alert-schemas.js';
import { notifyChange } from './alert-updates.repository.js';
import { changeAlerts } from './alerts.repository.js';
import { decodeCursor, encodeCursor } from './keyset-cursor.js';
import { auditActor, type Actor } from './request-actor.js';
import {
  deleteSuppression,
  findLiveSuppression,
  insertSuppression,
  listSuppressions,
  openAlertsMatching,
  type Suppression,
} from './suppressions.repository.js';

/** A suppression to create. */
export interface SuppressionInput {
  ruleId: string;
  hostName?: string | undefined;
  reason: string;
  expiresAt?: string | undefined;
  /** Close the open alerts the suppression covers. */
  closeOpen?: boolean | undefined;
  /** The reason those alerts are closed with (default `other`). */
  closeReason?: CloseReason | undefined;
}

@Injectable()
export class SuppressionsService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** A page of the tenant's suppressions (live ones unless `includeExpired`). */
  list(
    actor: Actor,
    options: {
      includeExpired: boolean;
      ruleId?: string | undefined;
      cursor?: string | undefined;
      limit: number;
    },
  ): Promise<{ items: Suppression[]; nextCursor: string | null }> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    return this.db.tx(actor, async (client) => {
      const page = await listSuppressions(client, actor.tenantId, {
        includeExpired: options.includeExpired,
        ...(options.ruleId !== undefined ? { ruleId: options.ruleId } : {}),
        ...(after !== undefined ? { after } : {}),
        limit: options.limit,
      });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    });
  }

  /** Creates a suppression (409 when a live one of the same rule and host exists). */
  async create(
    actor: Actor,
    input: SuppressionInput,
  ): Promise<{ suppression: Suppression; closedAlerts: number }> {
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= Date.now()) {
      throw new InvalidRequestProblem('invalid request: body.expiresAt: must be in the future', [
        { path: 'body.expiresAt', message: 'must be in the future' },
      ]);
    }
    const hostName = input.hostName ?? null;
    return this.db.tx(actor, async (client) => {
      // One creator at a time per tenant and rule, so two requests cannot both pass the duplicate check.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `inosec.suppression:${actor.tenantId}:${input.ruleId}`,
      ]);
      const existing = await findLiveSuppression(client, input.ruleId, hostName);
      if (existing !== undefined) {
        throw new ConflictProblem(
          `a live suppression of this rule for ${hostName === null ? 'the tenant' : `host ${hostName}`} exists (${existing.id})`,
          'suppression_exists',
        );
      }
      const suppression = await insertSuppression(client, actor.tenantId, {
        ruleId: input.ruleId,
        hostName,
        reason: input.reason,
        createdBy: actor.userId,
        expiresAt: input.expiresAt ?? null,
      });
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'suppression.create',
        resourceType: 'suppression',
        resourceId: suppression.id,
        outcome: 'success',
        details: {
          ruleId: input.ruleId,
          hostName,
          expiresAt: suppression.expiresAt,
          closeOpen: input.closeOpen ?? false,
        },
      });
      let closedAlerts = 0;
      if (input.closeOpen === true) {
        const ids = await openAlertsMatching(client, input.ruleId, hostName);
        const reason = input.closeReason ?? 'other';
        const outcome =
          ids.length === 0
            ? { changed: [] }
            : await changeAlerts(client, ids, {
                kind: 'close',
                userId: actor.userId,
                reason,
                comment: `Suppressed: ${input.reason}`.slice(0, 4000),
              });
        for (const changed of outcome.changed) {
          await recordAudit(client, {
            ...auditActor(actor),
            action: 'alert.close',
            resourceType: 'alert',
            resourceId: changed.id,
            outcome: 'success',
            details: { reason, suppression: suppression.id, from: changed.before, to: changed.after },
          });
        }
        if (outcome.changed.length > 0) {
          await notifyChange(client, {
            tenantId: actor.tenantId,
            kind: 'alert',
            ids: outcome.changed.map((c) => c.id),
            changed: ['status', 'closedAt', 'closeReason'],
          });
        }
        closedAlerts = outcome.changed.length;
      }
      return { suppression, closedAlerts };
    });
  }

  /** Deletes a suppression: the rule raises alerts for that host (or tenant) again. */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.tx(actor, async (client) => {
      const removed = await deleteSuppression(client, id);
      if (removed === undefined) throw new NotFoundProblem('suppression');
      await recordAudit(client, {
        ...auditActor(actor),
        action: 'suppression.delete',
        resourceType: 'suppression',
        resourceId: id,
        outcome: 'success',
        details: {
          ruleId: removed.ruleId,
          hostName: removed.hostName,
          suppressedCount: removed.suppressedCount,
        },
      });
    });
  }
}
