// Upload (or replace) one of the tenant's Sigma rule files: typed or pasted into the editor, or loaded from a
// file. The API validates it as the collector would load it; when it refuses the file (422), every problem
// is listed next to the text with its line (the line the message names, else the line of the key it names)
// and marked in the gutter. The text stays as it was, to fix and upload again.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { ApiError, describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { navigate } from '../shell/router.js';
import { Button, Checkbox, ErrorState, Field, INPUT, Loading } from '../ui/primitives.js';
import { READ_ONLY_HINT, setFlash, useCanWrite } from './parts.js';
import { locateProblems, type LocatedProblem } from './problems.js';
import { RuleProblems } from './RuleProblems.js';
import type { RuleFileSummary } from './types.js';
import { must } from '../api/client.js';

/** The API's limit (MAX_RULE_FILE_BYTES): checked here too, so a too-large file is never read in. */
const MAX_BYTES = 262_144;
const LINE_HEIGHT = 20;

function template(): string {
  return [
    'title: Netcat Reverse Shell',
    `id: ${crypto.randomUUID()}`,
    'status: experimental',
    'description: A netcat binary started with -e hands a shell to a remote peer',
    'logsource:',
    '  product: linux',
    '  category: process_creation',
    'detection:',
    '  selection:',
    "    Image|endswith: '/ncat'",
    "    CommandLine|contains: ' -e '",
    '  condition: selection',
    'level: high',
    'tags:',
    '  - attack.execution',
    '  - attack.t1059.004',
    '',
  ].join('\n');
}

/** A slug from a file name: `Acme Shells.yml` → `acme-shells`. */
function slugOf(fileName: string): string {
  return fileName
    .replace(/\.(ya?ml|txt)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
}

export function RuleEditor({ slug: existing }: { slug?: string }) {
  const { api } = useConsole();
  const canWrite = useCanWrite();
  const [slug, setSlug] = useState(existing ?? '');
  const [text, setText] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [ready, setReady] = useState(existing === undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [files, setFiles] = useState<RuleFileSummary[]>([]);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ summary: string; problems: LocatedProblem[] } | null>(null);
  const [slugError, setSlugError] = useState<string | null>(null);
  const [textError, setTextError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    if (existing === undefined) return;
    setLoadError(null);
    must(api.GET('/api/rules/files/{slug}', { params: { path: { slug: existing } } }))
      .then((file) => {
        setText(file.text);
        setEnabled(file.enabled);
        setReady(true);
      })
      .catch((error: unknown) => setLoadError(describe(error)));
  }, [api, existing]);
  useEffect(load, [load]);

  // The tenant's files, to say when a new upload would replace one.
  useEffect(() => {
    if (existing !== undefined) return;
    must(api.GET('/api/rules', { params: { query: { source: 'tenant' } } }))
      .then((body) => setFiles(body.files))
      .catch(() => undefined);
  }, [api, existing]);

  const lineCount = useMemo(() => text.split('\n').length, [text]);
  const marked = useMemo(() => {
    const lines = new Map<number, string>();
    for (const problem of refusal?.problems ?? []) {
      if (problem.line !== undefined) lines.set(problem.line, problem.message);
    }
    return lines;
  }, [refusal]);

  function goToLine(line: number): void {
    const area = textRef.current;
    if (!area) return;
    const lines = area.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    const end = start + (lines[line - 1]?.length ?? 0);
    area.focus();
    area.setSelectionRange(start, end);
    area.scrollTop = Math.max(0, (line - 1) * LINE_HEIGHT - area.clientHeight / 3);
  }

  async function onPick(event: ChangeEvent<HTMLInputElement>): Promise<void> {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setTextError(null);
    if (file.size > MAX_BYTES) {
      setTextError(
        `${file.name} is ${file.size.toLocaleString()} bytes; a rule file holds at most ${MAX_BYTES.toLocaleString()} bytes (split it)`,
      );
      return;
    }
    try {
      setText(await file.text());
      setRefusal(null);
      if (existing === undefined && slug === '') setSlug(slugOf(file.name));
    } catch (error) {
      setTextError(`${file.name} could not be read: ${describe(error)}`);
    }
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setSlugError(null);
    setTextError(null);
    setFailure(null);
    if (slug.trim() === '') return setSlugError('Name the file: 1 to 63 of a-z, 0-9, _ and -');
    if (text.trim() === '') return setTextError('Paste, type or load a Sigma rule file first');
    const submitted = text;
    setBusy(true);
    try {
      const result = await must(
        api.POST('/api/rules/files', { body: { slug: slug.trim(), text: submitted, enabled } }),
      );
      setFlash(`/rules/files/${result.slug}`, { kind: 'uploaded', result });
      navigate(`/rules/files/${result.slug}`);
    } catch (error) {
      const issues = error instanceof ApiError ? (error.problem.errors ?? []) : [];
      if (error instanceof ApiError && error.status === 422) {
        setRefusal({
          summary: error.message,
          problems: locateProblems(
            submitted,
            issues.filter((issue) => issue.path.startsWith('body.text')),
          ),
        });
      } else if (error instanceof ApiError && error.status === 400 && issues.length > 0) {
        const on = (field: string) =>
          issues
            .filter((issue) => issue.path === `body.${field}`)
            .map((issue) => issue.message)
            .join('; ') || null;
        setSlugError(on('slug'));
        setTextError(on('text'));
        const rest = issues.filter((issue) => issue.path !== 'body.slug' && issue.path !== 'body.text');
        if (rest.length > 0) setFailure(rest.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
        setRefusal(null);
      } else {
        setFailure(describe(error));
      }
    } finally {
      setBusy(false);
    }
  }

  if (loadError) return <ErrorState message={loadError} onRetry={load} />;
  if (!ready) return <Loading what="the rule file" />;
  const replaces = existing === undefined && files.some((file) => file.slug === slug.trim());
  const title = existing ? `Edit ${existing}` : 'Upload a rule file';

  return (
    <article aria-labelledby="rule-editor-title" className="h-full overflow-auto p-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/rules" className="hover:underline">
          Rules
        </Link>
        {existing ? (
          <>
            {' / '}
            <Link href={`/rules/files/${existing}`} className="hover:underline">
              {existing}
            </Link>
          </>
        ) : null}{' '}
        / {existing ? 'Edit' : 'Upload'}
      </nav>
      <h1 id="rule-editor-title" className="mt-2 text-xl font-semibold">
        {title}
      </h1>
      <p className="mt-1 max-w-3xl text-sm text-muted">
        Sigma YAML, one or several rules (documents separated by <code>---</code>), detections and
        correlations. The file is checked as the collector loads it; nothing is stored unless every rule in it
        can fire on InoSec&apos;s events.
      </p>

      <form className="mt-4 space-y-4" onSubmit={(event) => void submit(event)} noValidate>
        <div className="grid max-w-3xl gap-4 md:grid-cols-2">
          <div>
            <Field
              label="File name (slug)"
              hint="1 to 63 of a-z, 0-9, _ and -; its rules' switch is custom:<slug>"
            >
              <input
                className={INPUT}
                value={slug}
                readOnly={existing !== undefined}
                onChange={(e) => setSlug(e.target.value)}
                aria-invalid={slugError ? true : undefined}
                aria-describedby={slugError ? 'rule-slug-error' : undefined}
                placeholder="acme-shells"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            {slugError ? (
              <p id="rule-slug-error" className="mt-1 text-xs text-sev-critical" data-testid="slug-error">
                {slugError}
              </p>
            ) : replaces ? (
              <p className="mt-1 text-xs text-sev-medium">
                A file named {slug.trim()} exists: storing replaces it.
              </p>
            ) : null}
          </div>
          <Field label="Load from a file" hint=".yml or .yaml, at most 256 KiB; replaces the text below">
            <input
              type="file"
              accept=".yml,.yaml,.txt,application/yaml,text/yaml,text/plain"
              onChange={(e) => void onPick(e)}
              className="block w-full text-sm text-muted file:mr-3 file:rounded file:border file:border-line file:bg-raised file:px-3 file:py-1.5 file:text-sm file:text-fg"
            />
          </Field>
        </div>

        <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
          <div className="min-w-0">
            <div className="mb-1 flex items-center justify-between gap-2 text-sm">
              <label htmlFor="rule-text" className="text-muted">
                Rule file text (Sigma YAML)
              </label>
              {text === '' ? (
                <Button variant="ghost" onClick={() => setText(template())}>
                  Start from an example
                </Button>
              ) : (
                <span className="text-xs text-muted">
                  {lineCount} line{lineCount === 1 ? '' : 's'}
                </span>
              )}
            </div>
            <div
              className={`flex h-[28rem] overflow-hidden rounded border bg-surface ${refusal || textError ? 'border-sev-critical/70' : 'border-line'}`}
            >
              <div
                ref={gutterRef}
                aria-hidden="true"
                className="w-12 shrink-0 overflow-hidden border-r border-line bg-panel py-2 pb-6 text-right font-mono text-xs leading-5 select-none"
                data-testid="rule-gutter"
              >
                {Array.from({ length: lineCount }, (_, index) => {
                  const problem = marked.get(index + 1);
                  return (
                    <div
                      key={index}
                      className={`pr-2 ${problem ? 'bg-sev-critical font-semibold text-surface' : 'text-muted'}`}
                      data-problem-line={problem ? index + 1 : undefined}
                    >
                      {problem ? '!' : ''}
                      {index + 1}
                    </div>
                  );
                })}
              </div>
              <textarea
                id="rule-text"
                ref={textRef}
                value={text}
                onChange={(e) => setText(e.target.value)}
                onScroll={(e) => {
                  if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
                }}
                wrap="off"
                spellCheck={false}
                autoCapitalize="off"
                autoComplete="off"
                aria-invalid={refusal || textError ? true : undefined}
                aria-describedby={refusal ? 'rule-problems' : textError ? 'rule-text-error' : undefined}
                placeholder="title: …"
                className="min-w-0 flex-1 resize-none bg-surface px-3 py-2 font-mono text-xs leading-5 text-fg outline-none placeholder:text-muted/70"
              />
            </div>
            {textError ? (
              <p id="rule-text-error" className="mt-1 text-xs text-sev-critical" data-testid="text-error">
                {textError}
              </p>
            ) : null}
          </div>
          <RuleProblems refusal={refusal} onGoTo={goToLine} />
        </div>

        <div className="flex flex-wrap items-center gap-3">
          <label className="flex items-center gap-2 text-sm">
            <Checkbox checked={enabled} onChange={setEnabled} label="Enable the rules once stored" />
            <span>Enable the rules once stored</span>
          </label>
          <Button
            type="submit"
            variant="primary"
            disabled={busy || !canWrite}
            title={canWrite ? undefined : READ_ONLY_HINT}
          >
            {busy ? 'Validating…' : existing ? 'Validate and replace' : 'Validate and upload'}
          </Button>
          <Link
            href={existing ? `/rules/files/${existing}` : '/rules'}
            className="text-sm text-muted underline"
          >
            Cancel
          </Link>
          {failure ? (
            <p role="alert" className="text-sm text-sev-critical">
              {failure}
            </p>
          ) : null}
        </div>
      </form>
    </article>
  );
}
