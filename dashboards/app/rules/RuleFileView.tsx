// One of the tenant's rule files: its switch, the rules it holds, its text, and edit / delete. Right after an
// upload it also shows what the appliance loaded and its warnings.
import { useCallback, useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { navigate } from '../shell/router.js';
import { Button, Dialog, ErrorState, Loading, SeverityBadge } from '../ui/primitives.js';
import { logsourceLabel } from './filters.js';
import { formatTime, READ_ONLY_HINT, setFlash, Switch, useCanWrite, useFlash } from './parts.js';
import type { RuleFile } from './types.js';
import { must } from '../api/client.js';

export function RuleFileView({ slug }: { slug: string }) {
  const { api } = useConsole();
  const canWrite = useCanWrite();
  const flash = useFlash(`/rules/files/${slug}`);
  const [file, setFile] = useState<RuleFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: 'error' | 'info'; text: string } | null>(null);
  const [switching, setSwitching] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(() => {
    setError(null);
    must(api.GET('/api/rules/files/{slug}', { params: { path: { slug } } }))
      .then(setFile)
      .catch((failure: unknown) => setError(describe(failure)));
  }, [api, slug]);
  useEffect(load, [load]);

  async function toggle(enabled: boolean): Promise<void> {
    setSwitching(true);
    setNotice(null);
    setFile((current) => (current ? { ...current, enabled } : current));
    try {
      await must(api.POST('/api/rules/switch', { body: { ruleKey: `custom:${slug}`, enabled } }));
      setNotice({ tone: 'info', text: `Rule file ${slug} ${enabled ? 'enabled' : 'disabled'}` });
    } catch (failure) {
      setFile((current) => (current ? { ...current, enabled: !enabled } : current));
      setNotice({
        tone: 'error',
        text: `Could not ${enabled ? 'enable' : 'disable'} ${slug}: ${describe(failure)}. The switch is back as it was.`,
      });
    } finally {
      setSwitching(false);
    }
  }

  async function remove(): Promise<void> {
    setDeleting(true);
    try {
      await must(api.DELETE('/api/rules/files/{slug}', { params: { path: { slug } } }));
      setFlash('/rules', { kind: 'message', text: `Rule file ${slug} deleted` });
      navigate('/rules');
    } catch (failure) {
      setConfirming(false);
      setNotice({ tone: 'error', text: `Could not delete ${slug}: ${describe(failure)}` });
    } finally {
      setDeleting(false);
    }
  }

  if (error) return <ErrorState message={error} onRetry={load} />;
  if (file === null) return <Loading what={`rule file ${slug}`} />;
  const lines = file.text.split('\n');
  const uploaded = flash?.kind === 'uploaded' ? flash.result : null;

  return (
    <article aria-labelledby="rule-file-title" className="h-full overflow-auto p-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/rules?source=tenant" className="hover:underline">
          Rules
        </Link>{' '}
        / {slug}
      </nav>
      <header className="mt-2 flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 id="rule-file-title" className="font-mono text-xl font-semibold">
            {slug}
          </h1>
          <p className="mt-1 text-sm text-muted">
            {file.rules} rule{file.rules === 1 ? '' : 's'} · switch key <code>{file.ruleKey}</code> · created{' '}
            {formatTime(file.createdAt)} · updated {formatTime(file.updatedAt)}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <span className="flex items-center gap-2 text-sm">
            <Switch
              checked={file.enabled}
              onChange={(enabled) => void toggle(enabled)}
              label={`Enable rule file ${slug}`}
              busy={switching}
              disabled={!canWrite}
              {...(canWrite ? {} : { title: READ_ONLY_HINT })}
            />
            <span aria-hidden="true">{file.enabled ? 'Enabled' : 'Disabled'}</span>
          </span>
          <Button
            onClick={() => navigate(`/rules/files/${slug}/edit`)}
            disabled={!canWrite}
            title={canWrite ? undefined : READ_ONLY_HINT}
          >
            Edit
          </Button>
          <Button
            variant="danger"
            onClick={() => setConfirming(true)}
            disabled={!canWrite}
            title={canWrite ? undefined : READ_ONLY_HINT}
          >
            Delete…
          </Button>
        </div>
      </header>

      {notice ? (
        <p
          role={notice.tone === 'error' ? 'alert' : 'status'}
          className={`mt-3 text-sm ${notice.tone === 'error' ? 'text-sev-critical' : 'text-muted'}`}
        >
          {notice.text}
        </p>
      ) : null}

      {uploaded ? (
        <section
          aria-labelledby="uploaded-title"
          role="status"
          className="mt-4 rounded border border-accent/50 bg-accent/10 p-3 text-sm"
        >
          <h2 id="uploaded-title" className="font-semibold">
            Stored: {uploaded.loaded.length} rule{uploaded.loaded.length === 1 ? '' : 's'} loaded
            {uploaded.enabled ? ' and enabled' : ', switched off'}
          </h2>
          {uploaded.warnings.length > 0 ? (
            <>
              <p className="mt-1 text-muted">
                {uploaded.warnings.length} warning{uploaded.warnings.length === 1 ? '' : 's'} (the rules work;
                these break SigmaHQ conventions):
              </p>
              <ul className="mt-1 list-disc pl-5">
                {uploaded.warnings.map((warning, index) => (
                  <li key={index}>{warning.message}</li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="file-rules-title" className="mt-6">
        <h2 id="file-rules-title" className="text-base font-semibold">
          Rules in this file
        </h2>
        <table className="mt-2 w-full text-left text-sm">
          <thead className="text-xs text-muted uppercase">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Title
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Kind
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Level
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Log source
              </th>
              <th scope="col" className="py-1 font-medium">
                Key
              </th>
            </tr>
          </thead>
          <tbody>
            {file.loaded.map((rule) => (
              <tr key={rule.key} className="border-t border-line/60" data-testid="file-rule">
                <td className="py-1.5 pr-3">
                  <Link href={`/rules?q=${encodeURIComponent(rule.key)}`} className="hover:underline">
                    {rule.title}
                  </Link>
                </td>
                <td className="py-1.5 pr-3 text-muted">{rule.kind}</td>
                <td className="py-1.5 pr-3">
                  {rule.level ? (
                    <SeverityBadge severity={rule.level} />
                  ) : (
                    <span className="text-muted">—</span>
                  )}
                </td>
                <td className="py-1.5 pr-3 text-muted">{logsourceLabel(rule)}</td>
                <td className="py-1.5 font-mono text-xs text-muted">{rule.key}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="file-text-title" className="mt-6">
        <h2 id="file-text-title" className="text-base font-semibold">
          Text
        </h2>
        <div
          className="mt-2 max-h-[32rem] overflow-auto rounded border border-line bg-surface"
          tabIndex={0}
          aria-label={`Text of ${slug}`}
        >
          <div className="py-2 font-mono text-xs leading-5" data-testid="rule-file-text">
            {lines.map((line, index) => (
              <div key={index} className="flex">
                <span aria-hidden="true" className="w-12 shrink-0 pr-3 text-right text-muted select-none">
                  {index + 1}
                </span>
                <code className="whitespace-pre">{line}</code>
              </div>
            ))}
          </div>
        </div>
      </section>

      <Dialog
        open={confirming}
        onOpenChange={(open) => !deleting && setConfirming(open)}
        title={`Delete ${slug}?`}
        description={`Its ${file.rules} rule${file.rules === 1 ? '' : 's'} stop detecting for this tenant. Alerts they raised stay.`}
      >
        <div className="flex justify-end gap-2">
          <Button onClick={() => setConfirming(false)} disabled={deleting}>
            Keep it
          </Button>
          <Button variant="danger" onClick={() => void remove()} disabled={deleting}>
            {deleting ? 'Deleting…' : 'Delete the file'}
          </Button>
        </div>
      </Dialog>
    </article>
  );
}
