// Verification of the audit log's hash chains (FR-AUDIT-02): each chain is walked in id order and the first
// broken link reported — a row whose content no longer hashes to its stored hash (changed), or whose
// prev_hash is not the previous row's hash (the previous row was removed or changed behind the triggers'
// back). What a hash chain cannot show by itself: the newest rows removed, or a whole tail rewritten with
// fresh hashes; anchoring the reported head hash outside the database covers both.
import type pg from 'pg';
import { checkChain, listChains } from './audit.repository.js';

/** Why a link is broken. */
export type BrokenReason =
  'content_changed' | 'previous_missing_or_changed' | 'content_changed_and_previous_missing_or_changed';

/** The verdict on one chain. */
export interface ChainReport {
  /** The tenant of the chain; null: the platform chain. */
  tenantId: string | null;
  ok: boolean;
  /** Rows checked. */
  checked: number;
  /** The first broken row: its id and what is wrong with it. */
  firstBroken?: { id: number; reason: BrokenReason };
  /** The newest row and its hash (hex), to anchor outside the database. */
  head?: { id: number; hash: string };
}

function reasonOf(contentChanged: boolean, linkBroken: boolean): BrokenReason {
  if (contentChanged && linkBroken) return 'content_changed_and_previous_missing_or_changed';
  return contentChanged ? 'content_changed' : 'previous_missing_or_changed';
}

/**
 * Verifies one chain (`tenantId` null: the platform chain) with one SQL query. The connection's role decides
 * what it can see: the app role in a tenant transaction verifies that tenant's chain only.
 */
export async function verifyAuditChain(client: pg.ClientBase, tenantId: string | null): Promise<ChainReport> {
  const found = await checkChain(client, tenantId);
  const report: ChainReport = { tenantId, ok: found.firstBrokenId === null, checked: found.checked };
  if (found.firstBrokenId !== null) {
    report.firstBroken = {
      id: found.firstBrokenId,
      reason: reasonOf(found.contentChanged, found.linkBroken),
    };
  }
  if (found.headId !== null && found.headHash !== null)
    report.head = { id: found.headId, hash: found.headHash };
  return report;
}

/** Verifies every chain in the log (each tenant's and the platform's); needs an owner or superuser connection. */
export async function verifyAllAuditChains(client: pg.ClientBase): Promise<ChainReport[]> {
  const reports: ChainReport[] = [];
  for (const tenantId of await listChains(client)) reports.push(await verifyAuditChain(client, tenantId));
  return reports;
}
