import { createHash } from 'node:crypto';
import pg from 'pg';

/** The parts of pg's connection a scoped query writes to (pg's Submittable contract). */
interface Connection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { text: string; name?: string; types?: unknown[] }): void;
  bind(message: {
    portal?: string;
    statement?: string;
    values?: readonly unknown[];
    valueMapper?: (value: unknown) => unknown;
  }): void;
  describe(message: { type: 'P' | 'S'; name?: string }): void;
  close(message: { type: 'P' | 'S'; name?: string }): void;
  execute(message: { portal?: string; rows?: number }): void;
  sync(): void;
}

interface FieldMessage {
  fields: unknown[];
}

interface DataRowMessage {
  fields: unknown[];
}

/** pg.Result as pg builds it (exported at run time, not in its type declarations). */
interface PgResult<R extends pg.QueryResultRow> extends pg.QueryResult<R> {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): R;
  addRow(row: R): void;
  addCommandComplete(message: unknown): void;
}

const ResultClass = (pg as unknown as { Result: new (rowMode?: string, types?: unknown) => PgResult<never> })
  .Result;
const prepareValue = (pg as unknown as { utils: { prepareValue: (this: void, value: unknown) => unknown } })
  .utils.prepareValue;

/**
 * Sets the tenant, the acting user, read-only and the plan cache mode for the implicit transaction the
 * statement runs in. Its values are bound parameters.
 */
const SCOPE_NAME = 'inosec_scope';
const SCOPE_SQL =
  "SELECT set_config('inosec.tenant_id', $1, true), set_config('inosec.user_id', $2, true), " +
  "set_config('transaction_read_only', 'on', true), set_config('plan_cache_mode', $3, true)";

/**
 * How PostgreSQL plans a prepared read: `generic` reuses one plan for every tenant and value (right for
 * queries whose best plan does not depend on them, such as a tenant's newest alerts by index: re-planning
 * each execution was 40 % of the backend's time on the list route); `auto` lets PostgreSQL choose, which
 * keeps custom plans where values matter (partition pruning by a list of times).
 */
export type PlanMode = 'generic' | 'auto';
const PLAN_CACHE_MODE: Record<PlanMode, string> = { generic: 'force_generic_plan', auto: 'auto' };

/** Statement names by text; at most MAX_NAMED texts get a name (the rest run unnamed). */
const names = new Map<string, string>();
const MAX_NAMED = 500;

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `inosec_r${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name ?? '';
}

/** Names prepared on each connection (a batch that answered without error prepared its names). */
const prepared = new WeakMap<object, Set<string>>();

/**
 * One read in ONE round trip: the tenant scope and the statement go out as one write of extended-protocol
 * messages (Parse/Bind/Execute for the scope, Parse/Bind/Describe/Execute for the statement) closed by a
 * single Sync. PostgreSQL runs everything up to a Sync as one implicit transaction, so the settings, local to
 * it (set_config(..., true)), end at the Sync: the pooled connection never carries the tenant on. The
 * transaction is read only; an error in either statement rolls both back and reaches the caller.
 *
 * A plain BEGIN / set / query / COMMIT takes three round trips; on a loaded 2-core host each costs a write
 * syscall and a wake-up of the backend, which is most of a small read's price.
 *
 * Both statements are named prepared statements of the connection (the name is a digest of the text), so
 * PostgreSQL parses each once per connection and may reuse its plan (plan_cache_mode decides, as for any
 * prepared statement): parsing and planning were a third of the backend's time on these reads. A name not
 * yet known to have been prepared on the connection is closed first (closing a missing statement is not an
 * error), so a batch that failed after its Parse leaves nothing in the way of the next.
 */
export class ScopedQuery<R extends pg.QueryResultRow> {
  /** Set by pg's client when the query is queued with a callback. */
  callback: ((error: Error | null, result?: pg.QueryResult<R>) => void) | undefined;
  /** Named as pg's Query names it, so the client gives it its type parsers. */
  readonly _result: PgResult<R>;
  private completed = 0;
  /** The connection's prepared names, and the names this batch parses (known once it succeeds). */
  private known: Set<string> | undefined;
  private readonly parsed: string[] = [];
  private rowError: Error | undefined;

  constructor(
    private readonly tenantId: string,
    private readonly userId: string,
    private readonly text: string,
    private readonly values: readonly unknown[],
    private readonly plan: PlanMode = 'auto',
  ) {
    this._result = new ResultClass();
  }

  /** Runs on `client`; resolves with the statement's result. */
  run(client: pg.ClientBase): Promise<pg.QueryResult<R>> {
    return new Promise((resolve, reject) => {
      this.callback = (error, result) => (error ? reject(error) : resolve(result as pg.QueryResult<R>));
      void (client.query as unknown as (query: ScopedQuery<R>) => void)(this);
    });
  }

  submit(connection: Connection): Error | null {
    let known = prepared.get(connection);
    if (known === undefined) {
      known = new Set();
      prepared.set(connection, known);
    }
    this.known = known;
    const name = statementName(this.text);
    connection.stream.cork?.();
    try {
      this.prepare(connection, SCOPE_NAME, SCOPE_SQL);
      connection.bind({
        statement: SCOPE_NAME,
        values: [this.tenantId, this.userId, PLAN_CACHE_MODE[this.plan]],
        valueMapper: prepareValue,
      });
      connection.execute({});
      this.prepare(connection, name, this.text);
      connection.bind({ statement: name, values: this.values, valueMapper: prepareValue });
      connection.describe({ type: 'P' });
      connection.execute({});
      connection.sync();
    } catch (error) {
      // A value pg cannot serialise: nothing has gone out yet (the stream is corked), but messages may be
      // buffered; close the batch so the connection stays in step, and report the error.
      connection.sync();
      this.rowError = error instanceof Error ? error : new Error(String(error));
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /** Parse, unless `name` is prepared on the connection; an unnamed statement is parsed every time. */
  private prepare(connection: Connection, name: string, text: string): void {
    if (name !== '' && this.known?.has(name)) return;
    if (name !== '') {
      connection.close({ type: 'S', name });
      this.parsed.push(name);
    }
    connection.parse({ text, name });
  }

  handleRowDescription(message: FieldMessage): void {
    this._result.addFields(message.fields);
  }

  handleDataRow(message: DataRowMessage): void {
    // The scope statement's row (its set_config values) comes first, without a description: skip it.
    if (this.completed === 0 || this.rowError !== undefined) return;
    try {
      this._result.addRow(this._result.parseRow(message.fields));
    } catch (error) {
      this.rowError = error instanceof Error ? error : new Error(String(error));
    }
  }

  handleCommandComplete(message: unknown): void {
    this.completed += 1;
    if (this.completed === 2) this._result.addCommandComplete(message);
  }

  handleEmptyQuery(): void {
    this.completed += 1;
  }

  handlePortalSuspended(): void {
    // Never asked for (Execute without a row limit).
  }

  handleCopyInResponse(): void {
    // Not a COPY.
  }

  handleCopyData(): void {
    // Not a COPY.
  }

  handleError(error: Error): void {
    const callback = this.callback;
    this.callback = undefined;
    callback?.(this.rowError ?? error);
  }

  handleReadyForQuery(): void {
    const callback = this.callback;
    this.callback = undefined;
    // ReadyForQuery after an error goes to no query (pg's client drops it): reaching here, every Parse of
    // the batch completed.
    for (const name of this.parsed) this.known?.add(name);
    if (this.rowError !== undefined) callback?.(this.rowError);
    else callback?.(null, this._result);
  }
}
