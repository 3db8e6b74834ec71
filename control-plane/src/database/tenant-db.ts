import type pg from 'pg';
import { ScopedQuery, type PlanMode } from './scoped-query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant or user id checked to be a UUID, so it can be written into the statement as a literal. */
function uuidLiteral(value: string, what: string): string {
  if (!UUID.test(value)) throw new TypeError(`${what} must be a UUID`);
  return `'${value.toLowerCase()}'`;
}

/**
 * What a read needs of a connection: `query`, as pg.ClientBase has it. Read-path repositories take this, so
 * they run both inside a transaction (tx) and on a scoped reader (read).
 */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** Whose transaction this is: the tenant Row Level Security scopes it to, and the acting user (audit). */
export interface TenantScope {
  tenantId: string;
  userId?: string | null;
}

/**
 * Transactions of the control plane's pool (a login role of inosec_app: no BYPASSRLS, owns nothing). Each
 * tenant transaction sets `inosec.tenant_id` with set_config(..., true), which lasts until its COMMIT or
 * ROLLBACK: a pooled connection never carries one request's tenant into the next.
 */
export class TenantDb {
  constructor(readonly pool: pg.Pool) {}

  /** Runs `fn` in one transaction scoped to `scope.tenantId`; rolls back if it throws. */
  async tx<T>(scope: TenantScope, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(fn, scope);
  }

  /**
   * Runs `fn`'s reads scoped to `scope.tenantId`, each statement in ONE round trip (ScopedQuery: the scope and
   * the statement in one implicit, read-only transaction) instead of BEGIN / query / COMMIT. For reads that
   * need no common snapshot: under READ COMMITTED each statement of a transaction sees its own snapshot
   * anyway. A write fails (the transaction is read only). `options.plan` says how its statements are planned
   * (see PlanMode).
   */
  async read<T>(
    scope: TenantScope,
    fn: (client: Queryable) => Promise<T>,
    options: { plan?: PlanMode } = {},
  ): Promise<T> {
    const tenantId = uuidLiteral(scope.tenantId, 'tenantId').slice(1, -1);
    const userId = scope.userId ? uuidLiteral(scope.userId, 'userId').slice(1, -1) : '';
    const client = await this.pool.connect();
    let broken = false;
    const reader: Queryable = {
      query: async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
        try {
          return await new ScopedQuery<R>(tenantId, userId, text, values, options.plan).run(client);
        } catch (error) {
          // A server error leaves the connection in step (the Sync was answered); anything else may not.
          if (!isServerError(error)) broken = true;
          throw error;
        }
      },
    };
    try {
      return await fn(reader);
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `fn` in a transaction with no tenant: every tenant table reads empty and refuses writes; only the
   * narrow SECURITY DEFINER functions (tenant_by_slug, platform_*) and non-tenant tables answer.
   */
  async unscoped<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(fn, undefined);
  }

  private async transaction<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    scope: TenantScope | undefined,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      if (scope === undefined) {
        await client.query('BEGIN');
      } else {
        // One round trip: BEGIN and the transaction's tenant in a single simple-protocol message (ids are
        // checked UUIDs, written as literals; a parameterised statement would need its own round trip).
        const user = scope.userId ? uuidLiteral(scope.userId, 'userId') : "''";
        await client.query(
          `BEGIN; SELECT set_config('inosec.tenant_id', ${uuidLiteral(scope.tenantId, 'tenantId')}, true), set_config('inosec.user_id', ${user}, true)`,
        );
      }
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** An error PostgreSQL answered with (it has a SQLSTATE), as opposed to a broken connection or a client bug. */
function isServerError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}
