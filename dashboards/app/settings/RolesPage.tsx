// The tenant's roles (roles:read) and what each allows: a table of roles and a permission × role matrix over
// the catalogue. With roles:write: create custom roles, edit and delete them (builtin roles are fixed).
import { useCallback, useMemo, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Empty } from '../ui/primitives.js';
import {
  ConfirmDialog,
  failureMessage,
  MoreButton,
  NotReady,
  OutcomeNotice,
  PermissionDenied,
  Section,
  usePaged,
  useResource,
  type Outcome,
} from './common.js';
import { RoleDialog } from './RoleDialog.js';
import type { Me, PermissionInfo, Role } from './types.js';

export function RolesPage({ me }: { me: Me }) {
  if (!me.permissions.includes('roles:read')) {
    return <PermissionDenied permission="roles:read" what="Seeing the tenant's roles" />;
  }
  return <Roles me={me} />;
}

type Editing = { role: Role | null } | null;

function Roles({ me }: { me: Me }) {
  const { api } = useConsole();
  const canWrite = me.permissions.includes('roles:write');
  const held = useMemo(() => new Set(me.permissions), [me.permissions]);
  const roles = usePaged<Role>(
    useCallback(
      (cursor: string | undefined) =>
        must(api.GET('/api/roles', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })),
      [api],
    ),
  );
  const catalogue = useResource(
    useCallback(async () => (await must(api.GET('/api/permissions'))).items, [api]),
  );
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

  const items = roles.data;
  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <Section
        id="roles-title"
        title="Roles"
        description="A role groups permissions; users hold roles. Builtin roles cannot be changed."
        actions={
          canWrite ? (
            <Button variant="primary" onClick={() => setEditing({ role: null })}>
              New role…
            </Button>
          ) : (
            <span className="text-xs text-muted">Read-only: changing roles needs roles:write.</span>
          )
        }
      >
        <OutcomeNotice outcome={outcome} className="mb-3" />
        {roles.error !== undefined || items === undefined ? (
          <NotReady resource={roles} what="the tenant's roles" />
        ) : items.length === 0 ? (
          <Empty title="No roles">This tenant has no roles yet.</Empty>
        ) : (
          <div className="overflow-x-auto" tabIndex={0} aria-label="Roles (scrollable)">
            <table className="w-full text-left text-sm">
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Role
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Kind
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Users
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Permissions
                  </th>
                  {canWrite ? (
                    <th scope="col" className="py-1 font-normal">
                      <span className="sr-only">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {items.map((role) => (
                  <tr
                    key={role.id}
                    data-testid="role-row"
                    data-role-name={role.name}
                    className="border-t border-line/60 align-top"
                  >
                    <td className="py-2 pr-3">
                      <span className="block font-medium">{role.name}</span>
                      {role.description ? (
                        <span className="block text-xs text-muted">{role.description}</span>
                      ) : null}
                    </td>
                    <td className="py-2 pr-3">{role.builtin ? 'builtin' : 'custom'}</td>
                    <td className="py-2 pr-3">{role.userCount}</td>
                    <td className="py-2 pr-3">
                      <ul className="flex flex-wrap gap-1" aria-label={`Permissions of ${role.name}`}>
                        {role.permissions.length === 0 ? <li className="text-muted">none</li> : null}
                        {role.permissions.map((permission) => (
                          <li key={permission} className="rounded bg-raised px-1.5 font-mono text-xs">
                            {permission}
                          </li>
                        ))}
                      </ul>
                    </td>
                    {canWrite ? (
                      <td className="py-2">
                        {role.builtin ? null : (
                          <div className="flex justify-end gap-1.5">
                            <Button variant="ghost" onClick={() => setEditing({ role })}>
                              Edit…
                            </Button>
                            <Button variant="ghost" onClick={() => setDeleting(role)}>
                              Delete…
                            </Button>
                          </div>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton list={roles} what="roles" />
      </Section>

      <Section
        id="catalogue-title"
        title="Permissions"
        description="Every permission a role can carry, and what it allows."
      >
        {catalogue.error !== undefined || catalogue.data === undefined ? (
          <NotReady resource={catalogue} what="the permission catalogue" />
        ) : (
          <PermissionMatrix catalogue={catalogue.data} roles={items ?? []} />
        )}
      </Section>

      {editing !== null ? (
        <RoleDialog
          role={editing.role}
          catalogue={catalogue.data ?? []}
          held={held}
          onOpenChange={(open) => !open && setEditing(null)}
          onSaved={(saved, created) => {
            setEditing(null);
            setOutcome({ ok: true, message: `Role ${saved.name} ${created ? 'created' : 'saved'}.` });
            roles.reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete role ${deleting?.name ?? ''}`}
        description={`${deleting?.userCount ?? 0} user(s) hold this role and lose its permissions now.`}
        confirm="Delete role"
        onConfirm={async () => {
          const target = deleting;
          setDeleting(null);
          if (target === null) return;
          try {
            await must(api.DELETE('/api/roles/{id}', { params: { path: { id: target.id } } }));
            setOutcome({ ok: true, message: `Role ${target.name} deleted.` });
            roles.reload();
          } catch (failure) {
            setOutcome({ ok: false, message: failureMessage(failure) });
          }
        }}
      />
    </div>
  );
}

function PermissionMatrix({ catalogue, roles }: { catalogue: PermissionInfo[]; roles: Role[] }) {
  const sets = useMemo(() => roles.map((role) => new Set(role.permissions)), [roles]);
  if (catalogue.length === 0) return <Empty title="The permission catalogue is empty" />;
  return (
    <div className="overflow-x-auto" tabIndex={0} aria-label="Permissions by role (scrollable)">
      <table className="w-full text-left text-sm" data-testid="permission-matrix">
        <thead className="text-muted">
          <tr>
            <th scope="col" className="py-1 pr-3 font-normal">
              Permission
            </th>
            <th scope="col" className="py-1 pr-3 font-normal">
              Allows
            </th>
            {roles.map((role) => (
              <th key={role.id} scope="col" className="px-2 py-1 text-center font-normal">
                {role.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {catalogue.map((permission) => (
            <tr key={permission.name} className="border-t border-line/60">
              <th
                scope="row"
                className="py-1.5 pr-3 text-left font-mono text-xs font-normal whitespace-nowrap"
              >
                {permission.name}
              </th>
              <td className="py-1.5 pr-3 text-muted">{permission.description}</td>
              {roles.map((role, index) => (
                <td key={role.id} className="relative px-2 py-1.5 text-center">
                  {sets[index]?.has(permission.name) ? (
                    <span className="text-accent">
                      <span aria-hidden="true">✓</span>
                      <span className="sr-only">yes</span>
                    </span>
                  ) : (
                    <span className="text-muted">
                      <span aria-hidden="true">·</span>
                      <span className="sr-only">no</span>
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
