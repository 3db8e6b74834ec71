// Who works on an alert or an incident: a picker of the tenant's active users (for callers who may list
// them; otherwise just the caller) and "Assign to me".
import { label, type Directory, type Person } from '../api/directory.js';
import { Button, INPUT } from './primitives.js';

export function AssigneeField({
  assignee,
  directory,
  busy,
  assign,
}: {
  assignee: Person | null;
  directory: Directory;
  busy: boolean;
  /** Assigns to `to` (null: unassigns); `done` says what happened, for the page's status line. */
  assign: (to: string | null, done: string) => void;
}) {
  const { me, users } = directory;
  const assigneeId = assignee?.id ?? '';
  const people = users ?? (me ? [me] : []);
  return (
    <>
      <label className="block">
        <span className="mb-1 block text-muted">Assignee</span>
        <select
          className={INPUT}
          value={assigneeId}
          disabled={busy}
          onChange={(e) => {
            const to = e.target.value || null;
            const person = people.find((p) => p.id === to);
            assign(to, to === null ? 'Unassigned' : `Assigned to ${person ? label(person) : 'the user'}`);
          }}
        >
          <option value="">Unassigned</option>
          {people.map((person) => (
            <option key={person.id} value={person.id}>
              {person.id === me?.id ? `Me — ${label(person)}` : label(person)}
            </option>
          ))}
          {assignee && !people.some((p) => p.id === assignee.id) ? (
            <option value={assignee.id}>{label(assignee)}</option>
          ) : null}
        </select>
      </label>
      {me && assigneeId !== me.id ? (
        <Button disabled={busy} onClick={() => assign(me.id, `Assigned to ${label(me)}`)}>
          Assign to me
        </Button>
      ) : null}
    </>
  );
}
