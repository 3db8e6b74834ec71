// The incident's notes, oldest first, and a form to add one (they also appear in the timeline).
import { useState } from 'react';
import { Button, INPUT } from '../ui/primitives.js';
import type { Directory } from '../api/directory.js';
import type { IncidentNote } from './types.js';

export function IncidentNotes({
  notes,
  directory,
  onAdd,
}: {
  notes: IncidentNote[];
  directory: Directory;
  /** Resolves to an error message, or null when the note was added. */
  onAdd: (body: string) => Promise<string | null>;
}) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="incident-notes-title" className="mt-8">
      <h2 id="incident-notes-title" className="text-base font-semibold">
        Notes ({notes.length})
      </h2>
      {notes.length === 0 ? (
        <p className="mt-2 text-sm text-muted">No notes yet.</p>
      ) : (
        <ul className="mt-2 space-y-2" data-testid="incident-notes">
          {notes.map((note) => {
            const who = directory.name(note.authorId);
            return (
              <li key={note.id} className="rounded border border-line bg-panel p-2 text-sm">
                <p className="text-xs text-muted">
                  {who === 'you' ? 'You' : who} ·{' '}
                  <time dateTime={note.createdAt}>{new Date(note.createdAt).toLocaleString()}</time>
                </p>
                <p className="mt-1 whitespace-pre-wrap">{note.body}</p>
              </li>
            );
          })}
        </ul>
      )}
      <form
        className="mt-3 space-y-2"
        aria-label="Add a note"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          void onAdd(body.trim()).then((failure) => {
            setBusy(false);
            if (failure) setError(failure);
            else setBody('');
          });
        }}
      >
        <textarea
          className={INPUT}
          name="note"
          aria-label="Note"
          placeholder="What did you find, what did you do?"
          rows={3}
          maxLength={10000}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
        {error ? (
          <p role="alert" className="text-xs text-sev-critical">
            {error}
          </p>
        ) : null}
        <Button type="submit" disabled={busy || body.trim() === ''}>
          Add note
        </Button>
      </form>
    </section>
  );
}
