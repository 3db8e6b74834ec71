// The caller's tenant's audit log (FR-AUDIT-01..02): filtered pages, a streamed CSV export (itself audited),
// and verification of the tenant's hash chain.
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { auditCsvHeader, auditCsvLine } from '../audit/audit-csv.js';
import { recordAudit } from '../audit/audit-log.js';
import { listAuditEntries, type AuditFilter } from '../audit/audit.repository.js';
import { verifyAuditChain, type ChainReport } from '../audit/audit-verify.js';
import { TenantDb } from '../database/tenant-db.js';
import { auditEntryDto, type AuditEntryDto } from './admin-schemas.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { auditBy, type RequestActor } from './request-actor.js';

/** The most rows one export returns (the newest ones matching the filter). */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1_000;

const idCursor = z.tuple([z.number().int().positive()]);

@Injectable()
export class AuditLogService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  private scope(actor: RequestActor) {
    return { tenantId: actor.auth.tenantId, userId: actor.auth.userId };
  }

  /** A page of the tenant's entries matching `filter`, newest first. */
  async list(
    actor: RequestActor,
    filter: AuditFilter,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    const before = decodeCursor(page.cursor, idCursor);
    const rows = await this.db.tx(this.scope(actor), (client) =>
      listAuditEntries(client, filter, { beforeId: before?.[0], limit: page.limit + 1 }),
    );
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map(auditEntryDto),
      nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null,
    };
  }

  /**
   * Records the export, then streams the newest entries matching `filter` as CSV, at most
   * AUDIT_EXPORT_MAX_ROWS, read in short transactions of EXPORT_BATCH rows (a slow client holds no connection).
   */
  async export(actor: RequestActor, filter: AuditFilter): Promise<Readable> {
    await this.db.tx(this.scope(actor), (client) =>
      recordAudit(
        client,
        auditBy(actor, {
          action: 'audit.export',
          resourceType: 'audit_log',
          details: {
            filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
            maxRows: AUDIT_EXPORT_MAX_ROWS,
          },
        }),
      ),
    );
    const db = this.db;
    const scope = this.scope(actor);
    async function* lines(): AsyncGenerator<string> {
      yield auditCsvHeader();
      let sent = 0;
      let beforeId: number | undefined;
      while (sent < AUDIT_EXPORT_MAX_ROWS) {
        const limit = Math.min(EXPORT_BATCH, AUDIT_EXPORT_MAX_ROWS - sent);
        const rows = await db.tx(scope, (client) => listAuditEntries(client, filter, { beforeId, limit }));
        if (rows.length > 0) yield rows.map(auditCsvLine).join('');
        sent += rows.length;
        if (rows.length < limit) return;
        beforeId = rows.at(-1)?.id;
      }
    }
    return Readable.from(lines(), { objectMode: false });
  }

  /** Verifies the tenant's hash chain (as the app role: only this tenant's rows are visible). */
  async verify(actor: RequestActor): Promise<Omit<ChainReport, 'tenantId'>> {
    const report = await this.db.tx(this.scope(actor), (client) =>
      verifyAuditChain(client, actor.auth.tenantId),
    );
    const { tenantId: _tenantId, ...rest } = report;
    return rest;
  }
}
