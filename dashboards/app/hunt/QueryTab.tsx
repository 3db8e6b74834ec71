// The query builder: table, time range, host and up to 10 field conditions. Running a hunt writes it to the
// URL query (shareable, survives a reload) and the results follow the URL; a 422 of the API is shown next to
// the condition it names.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { ApiError, describe } from '../api/problem.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import {
  conditionErrors,
  DEFAULT_COLUMNS,
  huntEvents,
  MAX_CONDITIONS,
  OPERATOR_LABEL,
  OPERATORS,
  readHunt,
  TABLE_LABEL,
  TABLES,
  writeHunt,
  type Condition,
  type HuntRow,
  type HuntState,
  type HuntTable,
  type Operator,
} from './data.js';
import { ResultsTable } from './Results.js';
import { TimeRangeFields } from './TimeRangeFields.js';

const PAGE = 100;

interface Failure {
  message: string;
  byIndex: Map<number, string>;
  rest: string[];
}

export function QueryTab() {
  const { api } = useConsole();
  const route = useRoute();
  const committed = useMemo(() => readHunt(route.query), [route.query]);
  const committedKey = writeHunt(committed).toString();
  // A hunt in the URL (a link, a reload, a Run) runs; a bare /hunt shows the builder only.
  const active = route.query.has('table');
  const [draft, setDraft] = useState<HuntState>(committed);
  const [rows, setRows] = useState<HuntRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [fieldsByTable, setFieldsByTable] = useState<Partial<Record<HuntTable, string[]>>>({});
  const [runs, setRuns] = useState(0);
  const generation = useRef(0);

  // The URL is the truth: a new URL (Run, back/forward, a pasted link) resets the builder to it.
  useEffect(() => setDraft(readHunt(new URLSearchParams(committedKey))), [committedKey]);

  const run = useCallback(() => {
    if (!active) return;
    const mine = ++generation.current;
    const state = readHunt(new URLSearchParams(committedKey));
    setLoading(true);
    setFailure(null);
    setMoreError(null);
    huntEvents(api, state, { limit: PAGE })
      .then((page) => {
        if (mine !== generation.current) return;
        setRows(page.items);
        setCursor(page.nextCursor);
        setFieldsByTable((current) => ({ ...current, [state.table]: page.fields }));
      })
      .catch((error: unknown) => {
        if (mine !== generation.current) return;
        setRows(null);
        setCursor(null);
        if (error instanceof ApiError && error.status === 422) {
          setFailure({ message: describe(error), ...conditionErrors(error.problem, state.where) });
        } else setFailure({ message: describe(error), byIndex: new Map(), rest: [] });
      })
      .finally(() => mine === generation.current && setLoading(false));
  }, [api, committedKey, active]);

  useEffect(run, [run, runs]);

  // The field picker offers the fields the API names for the table (learnt from a one-row query).
  const knownFields = fieldsByTable[draft.table];
  useEffect(() => {
    if (knownFields !== undefined) return;
    let live = true;
    huntEvents(api, { table: draft.table, range: '24h', from: '', to: '', host: '', where: [] }, { limit: 1 })
      .then((page) => live && setFieldsByTable((current) => ({ ...current, [draft.table]: page.fields })))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, draft.table, knownFields]);

  const loadMore = () => {
    if (cursor === null) return;
    const mine = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    huntEvents(api, committed, { limit: PAGE, cursor })
      .then((page) => {
        if (mine !== generation.current) return;
        setRows((current) => [...(current ?? []), ...page.items]);
        setCursor(page.nextCursor);
      })
      .catch((error: unknown) => mine === generation.current && setMoreError(describe(error)))
      .finally(() => setLoadingMore(false));
  };

  const submit = () => {
    const next = writeHunt({
      ...draft,
      host: draft.host.trim(),
      where: draft.where.filter((c) => c.field.trim() !== '').map((c) => ({ ...c, field: c.field.trim() })),
    });
    if (next.toString() === committedKey && active) setRuns((n) => n + 1);
    else setQuery(next);
  };

  const setCondition = (index: number, change: Partial<Condition>) =>
    setDraft((current) => ({
      ...current,
      where: current.where.map((c, i) => (i === index ? { ...c, ...change } : c)),
    }));

  const columns = useMemo(() => {
    const chosen = committed.where.map((c) => c.field);
    return [...new Set([...chosen, ...DEFAULT_COLUMNS[committed.table]])].slice(0, 8);
  }, [committed]);

  // Inline messages belong to the conditions of the hunt that ran; they show while the builder still has them.
  const sameConditions = JSON.stringify(draft.where) === JSON.stringify(committed.where);
  const inline = failure && sameConditions ? failure.byIndex : new Map<number, string>();
  // A 422 that names a condition no longer in the builder (or names none) is shown above the results.
  const aside =
    failure !== null && failure.byIndex.size > 0
      ? sameConditions
        ? failure.rest.join('; ')
        : failure.message
      : '';
  const fieldList = `hunt-fields-${draft.table}`;

  return (
    <>
      <form
        className="border-b border-line px-4 py-3"
        aria-label="Hunt query"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <div className="flex flex-wrap items-end gap-3">
          <label className="block text-sm">
            <span className="mb-1 block text-muted">Table</span>
            <select
              aria-label="Table"
              className={INPUT}
              value={draft.table}
              onChange={(event) => setDraft({ ...draft, table: event.target.value as HuntTable, where: [] })}
            >
              {TABLES.map((table) => (
                <option key={table} value={table}>
                  {TABLE_LABEL[table]} ({table})
                </option>
              ))}
            </select>
          </label>
          <TimeRangeFields
            idPrefix="hunt"
            value={draft}
            onChange={(range) => setDraft({ ...draft, ...range })}
          />
          <label className="block text-sm">
            <span className="mb-1 block text-muted">Host</span>
            <input
              aria-label="Host"
              className={INPUT}
              placeholder="Any host"
              value={draft.host}
              onChange={(event) => setDraft({ ...draft, host: event.target.value })}
            />
          </label>
        </div>

        <fieldset className="mt-3">
          <legend className="text-sm text-muted">
            Conditions (all must hold; {draft.where.length} of {MAX_CONDITIONS})
          </legend>
          <datalist id={fieldList}>
            {(knownFields ?? []).map((field) => (
              <option key={field} value={field} />
            ))}
          </datalist>
          <ol className="mt-1 space-y-2">
            {draft.where.map((condition, index) => {
              const message = inline.get(index);
              const messageId = `hunt-condition-${index}-error`;
              return (
                <li key={index} data-testid="hunt-condition">
                  <div className="grid grid-cols-[minmax(10rem,16rem)_minmax(8rem,11rem)_minmax(10rem,1fr)_auto] items-center gap-2">
                    <input
                      aria-label={`Field of condition ${index + 1}`}
                      list={fieldList}
                      placeholder="Field"
                      className={INPUT}
                      value={condition.field}
                      aria-invalid={message ? true : undefined}
                      aria-describedby={message ? messageId : undefined}
                      onChange={(event) => setCondition(index, { field: event.target.value })}
                    />
                    <select
                      aria-label={`Operator of condition ${index + 1}`}
                      className={INPUT}
                      value={condition.op}
                      onChange={(event) => setCondition(index, { op: event.target.value as Operator })}
                    >
                      {(OPERATORS as readonly string[]).includes(condition.op) ? null : (
                        <option value={condition.op}>{condition.op}</option>
                      )}
                      {OPERATORS.map((op) => (
                        <option key={op} value={op}>
                          {OPERATOR_LABEL[op]}
                        </option>
                      ))}
                    </select>
                    {condition.op === 'exists' ? (
                      <span className="text-xs text-muted">(no value)</span>
                    ) : (
                      <input
                        aria-label={`Value of condition ${index + 1}`}
                        placeholder="Value"
                        className={INPUT}
                        value={condition.value ?? ''}
                        onChange={(event) => setCondition(index, { value: event.target.value })}
                      />
                    )}
                    <Button
                      variant="ghost"
                      aria-label={`Remove condition ${index + 1}`}
                      onClick={() => setDraft({ ...draft, where: draft.where.filter((_, i) => i !== index) })}
                    >
                      ✕
                    </Button>
                  </div>
                  {message ? (
                    <p
                      id={messageId}
                      role="alert"
                      className="mt-1 text-xs text-sev-critical"
                      data-testid="condition-error"
                    >
                      {message}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ol>
          <div className="mt-2 flex flex-wrap gap-2">
            <Button
              disabled={draft.where.length >= MAX_CONDITIONS}
              onClick={() =>
                setDraft({
                  ...draft,
                  where: [...draft.where, { field: '', op: 'contains', value: '' }],
                })
              }
            >
              Add condition
            </Button>
            <Button type="submit" variant="primary">
              Run hunt
            </Button>
            {active ? (
              <Button variant="ghost" onClick={() => setQuery(new URLSearchParams())}>
                Reset
              </Button>
            ) : null}
          </div>
        </fieldset>
      </form>

      {aside ? (
        <p role="alert" className="mx-4 mt-2 text-sm text-sev-critical" data-testid="hunt-error">
          {aside}
        </p>
      ) : null}

      {!active ? (
        <Empty title="Build a hunt">
          Pick a table, a time range and conditions, then run it. The hunt is kept in the address, so you can
          share it.
        </Empty>
      ) : failure && failure.byIndex.size > 0 ? (
        <Empty title="The hunt did not run">Correct the condition marked above and run it again.</Empty>
      ) : failure ? (
        <ErrorState message={failure.message} onRetry={() => setRuns((n) => n + 1)} />
      ) : loading && rows === null ? (
        <Loading what="the hunt's results" />
      ) : rows === null || rows.length === 0 ? (
        loading ? (
          <Loading what="the hunt's results" />
        ) : (
          <Empty title="No events match">
            Nothing in this time range matches. Widen the range or loosen the conditions.
          </Empty>
        )
      ) : (
        <>
          <ResultsTable rows={rows} columns={columns} label="Hunt results" />
          <div className="flex items-center gap-3 border-t border-line px-4 py-2 text-sm">
            <span role="status" className="text-muted" data-testid="hunt-count">
              {rows.length} event{rows.length === 1 ? '' : 's'}
              {cursor ? ', more available' : ''}
              {loading ? ', refreshing…' : ''}
            </span>
            {moreError ? (
              <span role="alert" className="text-sev-critical">
                {moreError}
              </span>
            ) : null}
            <Button className="ml-auto" disabled={cursor === null || loadingMore} onClick={loadMore}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        </>
      )}
    </>
  );
}
