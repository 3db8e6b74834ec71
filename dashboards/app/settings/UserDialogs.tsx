// Inviting a user and setting a user's roles. Roles carrying a permission the caller does not hold are shown
// but locked: the API refuses to grant or revoke them (no privilege escalation).
import { useState, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import {
  CheckList,
  failureMessage,
  NotReady,
  OutcomeNotice,
  PermissionDenied,
  type Outcome,
  type Resource,
} from './common.js';
import type { Invitation, Role, User } from './types.js';

function roleOptions(roles: Role[], held: ReadonlySet<string>) {
  return roles.map((role) => {
    const missing = role.permissions.filter((p) => !held.has(p));
    return {
      value: role.id,
      label: role.name,
      hint: `${role.description ? `${role.description} · ` : ''}${role.permissions.length} permission${role.permissions.length === 1 ? '' : 's'}`,
      ...(missing.length ? { locked: `Carries permissions you do not hold: ${missing.join(', ')}` } : {}),
    };
  });
}

function RolePicker({
  roles,
  held,
  selected,
  onChange,
}: {
  roles: Resource<Role[]> | null;
  held: ReadonlySet<string>;
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}) {
  if (roles === null) {
    return <PermissionDenied permission="roles:read" what="Choosing roles" />;
  }
  if (roles.data === undefined || roles.error !== undefined)
    return <NotReady resource={roles} what="the roles" />;
  if (roles.data.length === 0) return <p className="text-sm text-muted">This tenant has no roles.</p>;
  return (
    <CheckList
      legend="Roles"
      options={roleOptions(roles.data, held)}
      selected={selected}
      onChange={onChange}
    />
  );
}

export function InviteDialog({
  open,
  onOpenChange,
  roles,
  held,
  onInvited,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  roles: Resource<Role[]> | null;
  held: ReadonlySet<string>;
  onInvited: (result: Invitation) => void;
}) {
  const { api } = useConsole();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roleIds, setRoleIds] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (roleIds.size === 0) {
      setOutcome({ ok: false, message: 'Choose at least one role.' });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const result = await must(
        api.POST('/api/users', {
          body: {
            email: email.trim(),
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            roleIds: [...roleIds],
          },
        }),
      );
      setEmail('');
      setDisplayName('');
      setRoleIds(new Set());
      onInvited(result);
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Invite a user"
      description="They receive a single-use link (valid 7 days) to choose a password."
    >
      <form className="space-y-3" onSubmit={(event) => void submit(event)}>
        <Field label="E-mail">
          <input
            className={INPUT}
            type="email"
            name="invite-email"
            autoComplete="off"
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Display name (optional)">
          <input
            className={INPUT}
            name="invite-name"
            autoComplete="off"
            maxLength={200}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
          />
        </Field>
        <RolePicker roles={roles} held={held} selected={roleIds} onChange={setRoleIds} />
        <OutcomeNotice outcome={outcome} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Inviting…' : 'Send invitation'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function UserRolesDialog({
  user,
  roles,
  held,
  onOpenChange,
  onSaved,
}: {
  user: User;
  roles: Resource<Role[]> | null;
  held: ReadonlySet<string>;
  onOpenChange: (open: boolean) => void;
  onSaved: (user: User) => void;
}) {
  const { api } = useConsole();
  const [roleIds, setRoleIds] = useState<Set<string>>(() => new Set(user.roles.map((role) => role.id)));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setOutcome(null);
    try {
      onSaved(
        await must(
          api.PUT('/api/users/{id}/roles', {
            params: { path: { id: user.id } },
            body: { roleIds: [...roleIds] },
          }),
        ),
      );
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
      title={`Roles of ${user.email}`}
      description="The user holds exactly the roles checked here; the change reaches their sessions within seconds."
    >
      <form className="space-y-3" onSubmit={(event) => void submit(event)}>
        <RolePicker roles={roles} held={held} selected={roleIds} onChange={setRoleIds} />
        <OutcomeNotice outcome={outcome} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Save roles
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
