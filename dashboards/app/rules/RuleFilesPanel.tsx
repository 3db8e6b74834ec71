// The tenant's own rule files above the catalogue: each file with its rule count, when it changed, and a
// switch for the whole file.
import { Link } from '../shell/Shell.js';
import { formatTime, READ_ONLY_HINT, Switch } from './parts.js';
import type { RuleFileSummary } from './types.js';

export function RuleFilesPanel({
  files,
  canWrite,
  pending,
  onToggle,
}: {
  files: readonly RuleFileSummary[];
  canWrite: boolean;
  pending: ReadonlySet<string>;
  onToggle: (file: RuleFileSummary, enabled: boolean) => void;
}) {
  return (
    <section aria-labelledby="rule-files-title" className="border-b border-line px-4 py-2">
      <h2 id="rule-files-title" className="text-sm font-semibold">
        Custom rule files <span className="font-normal text-muted">({files.length})</span>
      </h2>
      {files.length === 0 ? (
        <p className="mt-1 text-xs text-muted">
          No custom rule files yet. Upload Sigma YAML to add your own detections; they are validated as the
          collector loads them, and problems are shown next to the text.
        </p>
      ) : (
        <div className="mt-1 max-h-32 overflow-auto" tabIndex={0} aria-label="Custom rule files">
          <ul className="divide-y divide-line/60" data-testid="rule-files">
            {files.map((file) => (
              <li
                key={file.slug}
                className="flex items-center gap-3 py-1 text-sm"
                data-testid="rule-file"
                data-slug={file.slug}
              >
                <Switch
                  checked={file.enabled}
                  onChange={(enabled) => onToggle(file, enabled)}
                  label={`Enable rule file ${file.slug}`}
                  busy={pending.has(file.ruleKey)}
                  disabled={!canWrite}
                  {...(canWrite ? {} : { title: READ_ONLY_HINT })}
                />
                <Link href={`/rules/files/${file.slug}`} className="font-mono text-accent hover:underline">
                  {file.slug}
                </Link>
                <span className="text-xs text-muted">
                  {file.rules} rule{file.rules === 1 ? '' : 's'} · updated {formatTime(file.updatedAt)}
                  {file.enabled ? '' : ' · switched off'}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
