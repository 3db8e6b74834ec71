// Creating or editing a custom role: a name (lowercase, digits, - and _), a description, and permissions from
// the catalogue. Permissions the caller does not hold are locked: the API refuses to add or remove them.
import { useState, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import { CheckList, failureMessage, OutcomeNotice, type Outcome } from './common.js';
import type { PermissionInfo, Role } from './types.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function RoleDialog({
  role,
  catalogue,
  held,
  onOpenChange,
  onSaved,
}: {
  role: Role | null;
  catalogue: PermissionInfo[];
  held: ReadonlySet<string>;
  onOpenChange: (open: boolean) => void;
  onSaved: (role: Role, created: boolean) => void;
}) {
  const { api } = useConsole();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [permissions, setPermissions] = useState<Set<string>>(() => new Set(role?.permissions ?? []));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) {
      setOutcome({
        ok: false,
        message:
          'The name takes lowercase letters, digits, - and _ (1 to 63, starting with a letter or digit).',
      });
      return;
    }
    setBusy(true);
    setOutcome(null);
    const body = { name: trimmed, description: description.trim(), permissions: [...permissions].sort() };
    try {
      const saved =
        role === null
          ? await must(api.POST('/api/roles', { body }))
          : await must(api.PATCH('/api/roles/{id}', { params: { path: { id: role.id } }, body }));
      onSaved(saved, role === null);
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onOpenChange={onOpenChange}
      title={role === null ? 'New role' : `Edit role ${role.name}`}
      description={
        role === null
          ? 'A custom role over the permission catalogue.'
          : `${role.userCount} user(s) hold this role; they get the change within seconds.`
      }
    >
      <form className="space-y-3" onSubmit={(event) => void submit(event)}>
        <Field label="Name" hint="lowercase letters, digits, - and _">
          <input
            className={`${INPUT} font-mono`}
            name="role-name"
            autoComplete="off"
            required
            maxLength={63}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label="Description (optional)">
          <input
            className={INPUT}
            name="role-description"
            autoComplete="off"
            maxLength={500}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <CheckList
          legend="Permissions"
          selected={permissions}
          onChange={setPermissions}
          options={catalogue.map((permission) => ({
            value: permission.name,
            label: permission.name,
            hint: permission.description,
            ...(held.has(permission.name) ? {} : { locked: 'You do not hold this permission yourself.' }),
          }))}
        />
        <OutcomeNotice outcome={outcome} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {role === null ? 'Create role' : 'Save role'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
