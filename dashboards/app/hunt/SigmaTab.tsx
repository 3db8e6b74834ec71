// Runs one Sigma detection rule over the stored events of a time range (the detectors' engine, on the
// control plane): the matches in the hunt's results table, how many events were scanned, whether the scan
// was cut short. The loader's message for a rule it cannot take is shown under the rule. The time range and
// host live in the URL; the rule text is kept for the tab's session so a reload does not lose it.
import { useMemo, useState } from 'react';
import { useConsole } from '../App.js';
import { ApiError, describe } from '../api/problem.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import {
  DEFAULT_COLUMNS,
  huntSigma,
  rangeBounds,
  readRange,
  writeRange,
  type SigmaResult,
  type TimeRange,
} from './data.js';
import { ResultsTable } from './Results.js';
import { TimeRangeFields } from './TimeRangeFields.js';

const STORAGE = 'inosec.hunt.sigma-rule';
const MAX_RULE = 64 * 1024;
const EXAMPLE = `title: Example, curl piped to a shell
logsource:
  product: linux
  category: process_creation
detection:
  selection:
    CommandLine|contains|all:
      - 'curl '
      - '| sh'
  condition: selection
level: medium
`;

function storedRule(): string {
  try {
    return window.sessionStorage.getItem(STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function SigmaTab() {
  const { api } = useConsole();
  const route = useRoute();
  const range = useMemo(() => readRange(route.query), [route.query]);
  const host = route.query.get('host') ?? '';
  const [rule, setRule] = useState(storedRule);
  const [result, setResult] = useState<SigmaResult | null>(null);
  const [running, setRunning] = useState(false);
  const [ruleError, setRuleError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const write = (next: { range?: TimeRange; host?: string }) => {
    const query = new URLSearchParams();
    writeRange(query, next.range ?? range);
    const h = next.host ?? host;
    if (h) query.set('host', h);
    setQuery(query);
  };

  const changeRule = (text: string) => {
    setRule(text);
    setRuleError(null);
    try {
      window.sessionStorage.setItem(STORAGE, text);
    } catch {
      // storage full or disabled: the rule is only lost on a reload
    }
  };

  const run = () => {
    if (rule.trim() === '') {
      setRuleError('Paste a Sigma rule first.');
      return;
    }
    if (new TextEncoder().encode(rule).length > MAX_RULE) {
      setRuleError('The rule is larger than 64 KiB.');
      return;
    }
    setRunning(true);
    setRuleError(null);
    setError(null);
    huntSigma(api, { rule, ...rangeBounds(range), ...(host.trim() ? { host: host.trim() } : {}) })
      .then(setResult)
      .catch((failure: unknown) => {
        setResult(null);
        if (failure instanceof ApiError && failure.status === 422) {
          const details = failure.problem.errors?.map((e) =>
            e.path ? `${e.path}: ${e.message}` : e.message,
          );
          setRuleError(details?.length ? details.join('; ') : describe(failure));
        } else setError(describe(failure));
      })
      .finally(() => setRunning(false));
  };

  const columns = result?.matches[0] ? DEFAULT_COLUMNS[result.matches[0].table] : DEFAULT_COLUMNS.events;

  return (
    <>
      <form
        className="border-b border-line px-4 py-3"
        aria-label="Run a Sigma rule"
        onSubmit={(event) => {
          event.preventDefault();
          run();
        }}
      >
        <label className="block text-sm" htmlFor="sigma-rule">
          <span className="mb-1 block text-muted">Sigma rule (YAML, detection rules only)</span>
        </label>
        <textarea
          id="sigma-rule"
          className={`${INPUT} h-56 font-mono text-xs`}
          spellCheck={false}
          placeholder={EXAMPLE}
          value={rule}
          aria-invalid={ruleError ? true : undefined}
          aria-describedby={ruleError ? 'sigma-rule-error' : undefined}
          onChange={(event) => changeRule(event.target.value)}
        />
        {ruleError ? (
          <p
            id="sigma-rule-error"
            role="alert"
            className="mt-1 text-sm text-sev-critical"
            data-testid="sigma-error"
          >
            {ruleError}
          </p>
        ) : null}
        <div className="mt-3 flex flex-wrap items-end gap-3">
          <TimeRangeFields idPrefix="sigma" value={range} onChange={(next) => write({ range: next })} />
          <label className="block text-sm">
            <span className="mb-1 block text-muted">Host</span>
            <input
              aria-label="Host"
              className={INPUT}
              placeholder="Any host"
              defaultValue={host}
              key={`host-${host}`}
              onBlur={(event) => write({ host: event.target.value.trim() })}
            />
          </label>
          <Button type="submit" variant="primary" disabled={running}>
            {running ? 'Running…' : 'Run rule'}
          </Button>
        </div>
      </form>

      {error ? (
        <ErrorState message={error} onRetry={run} />
      ) : running && result === null ? (
        <Loading what="the rule's matches" />
      ) : result === null ? (
        <Empty title="Run a Sigma rule over stored events">
          Paste a detection rule, pick a time range and run it. At most 200,000 events are scanned.
        </Empty>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-3 px-4 py-2 text-sm" data-testid="sigma-summary">
            <span className="font-medium">{result.rule.title}</span>
            <span role="status" className="text-muted">
              {result.matches.length} match{result.matches.length === 1 ? '' : 'es'}, scanned{' '}
              {result.scanned.toLocaleString()} events
            </span>
            {result.truncated ? (
              <span className="rounded border border-sev-medium/50 px-1.5 py-0.5 text-xs text-sev-medium">
                Truncated: the scan stopped at its limit; narrow the time range or host to see everything.
              </span>
            ) : null}
          </div>
          {result.matches.length === 0 ? (
            <Empty title="No event matches this rule">Nothing in this time range matches.</Empty>
          ) : (
            <ResultsTable rows={result.matches} columns={columns} label="Sigma rule matches" />
          )}
        </>
      )}
    </>
  );
}
