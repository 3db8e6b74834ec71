// The problems of a refused rule file, next to the editor: the API's summary, then each problem with its
// line (a button that selects the line in the editor), the rule and key it names, and the API's message.
import type { LocatedProblem } from './problems.js';

export function RuleProblems({
  refusal,
  onGoTo,
}: {
  refusal: { summary: string; problems: LocatedProblem[] } | null;
  onGoTo: (line: number) => void;
}) {
  if (refusal === null) {
    return (
      <aside aria-label="Validation" className="rounded border border-line bg-panel p-3 text-sm text-muted">
        <p>
          Problems appear here with their line when the appliance refuses the file: YAML syntax, Sigma schema,
          unknown modifiers, log sources or fields InoSec does not collect, ids taken by shipped rules.
        </p>
      </aside>
    );
  }
  const count = refusal.problems.length;
  return (
    <aside
      id="rule-problems"
      aria-labelledby="rule-problems-title"
      className="rounded border border-sev-critical/60 bg-sev-critical/10 p-3 text-sm"
      data-testid="rule-problems"
    >
      <div role="alert">
        <h2 id="rule-problems-title" className="font-semibold text-sev-critical">
          Not stored: {count} problem{count === 1 ? '' : 's'}
        </h2>
        {count === 0 ? <p className="mt-1 text-xs text-fg">{refusal.summary}</p> : null}
      </div>
      {count > 0 ? (
        <ol className="mt-3 max-h-[22rem] space-y-2 overflow-auto" tabIndex={0} aria-label="Problems">
          {refusal.problems.map((problem, index) => (
            <li
              key={index}
              className="rounded border border-line bg-panel p-2"
              data-testid="rule-problem"
              data-line={problem.line}
            >
              <p className="flex flex-wrap items-center gap-x-2 text-xs">
                {problem.line !== undefined ? (
                  <button
                    type="button"
                    onClick={() => onGoTo(problem.line ?? 1)}
                    className="font-mono font-semibold text-sev-critical underline"
                    title="Select this line in the editor"
                  >
                    {problem.precision === 'near' ? 'near line' : 'line'} {problem.line}
                    {problem.column !== undefined ? `, column ${problem.column}` : ''}
                  </button>
                ) : (
                  <span className="font-mono text-muted">no line</span>
                )}
                {problem.rule ? <span className="text-muted">rule {problem.rule}</span> : null}
                {problem.key ? <code className="text-muted">{problem.key}</code> : null}
              </p>
              <p className="mt-1 break-words text-fg">{problem.message}</p>
            </li>
          ))}
        </ol>
      ) : null}
    </aside>
  );
}
