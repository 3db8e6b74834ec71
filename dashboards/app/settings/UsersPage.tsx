// The tenant's users (users:read): search and status filters in the URL, and with users:write: invite, change
// roles, disable or enable, end a user's sessions, resend an invitation. Nobody grants a role carrying a
// permission they do not hold (the API refuses; the dialogs say so up front).
import { useCallback, useMemo, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { setQuery, useRoute } from '../shell/router.js';
import { Button, Empty, INPUT } from '../ui/primitives.js';
import {
  ConfirmDialog,
  failureMessage,
  MoreButton,
  NotReady,
  OutcomeNotice,
  PermissionDenied,
  Section,
  TimeCell,
  usePaged,
  useResource,
  type Outcome,
} from './common.js';
import { InviteDialog, UserRolesDialog } from './UserDialogs.js';
import { USER_STATUSES, type Me, type Role, type User, type UserStatus } from './types.js';

const STATUS_TONE: Record<UserStatus, string> = {
  active: 'text-fg border-line',
  invited: 'text-accent border-accent/50',
  disabled: 'text-muted border-line',
};

type Pending = { kind: 'disable' | 'end-sessions'; user: User } | null;

export function UsersPage({ me }: { me: Me }) {
  if (!me.permissions.includes('users:read')) {
    return <PermissionDenied permission="users:read" what="Seeing the tenant's users" />;
  }
  return <Users me={me} />;
}

function Users({ me }: { me: Me }) {
  const { api } = useConsole();
  const route = useRoute();
  const q = route.query.get('q') ?? '';
  const statusParam = route.query.get('status');
  const status = USER_STATUSES.find((s) => s === statusParam);
  const canWrite = me.permissions.includes('users:write');
  const canReadRoles = me.permissions.includes('roles:read');

  const fetchPage = useCallback(
    (cursor: string | undefined) =>
      must(
        api.GET('/api/users', {
          params: {
            query: {
              limit: 100,
              ...(q ? { q } : {}),
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [api, q, status],
  );
  const users = usePaged<User>(fetchPage);
  const roles = useResource(
    useCallback(
      async (): Promise<Role[]> =>
        canReadRoles ? (await must(api.GET('/api/roles', { params: { query: { limit: 200 } } }))).items : [],
      [api, canReadRoles],
    ),
  );
  const held = useMemo(() => new Set(me.permissions), [me.permissions]);

  const [outcome, setOutcome] = useState<Outcome>(null);
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [pending, setPending] = useState<Pending>(null);

  function filter(next: { q?: string; status?: string }): void {
    const query = new URLSearchParams(route.query);
    for (const [key, value] of Object.entries(next)) {
      if (value) query.set(key, value);
      else query.delete(key);
    }
    setQuery(query);
  }

  async function act(action: () => Promise<string>): Promise<void> {
    setOutcome(null);
    try {
      setOutcome({ ok: true, message: await action() });
      users.reload();
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    }
  }

  const setStatus = (user: User, next: 'active' | 'disabled') =>
    act(async () => {
      await must(api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { status: next } }));
      return next === 'disabled'
        ? `${user.email} is disabled and was signed out everywhere.`
        : `${user.email} is enabled again.`;
    });

  const items = users.data;
  return (
    <div className="mx-auto max-w-6xl space-y-4">
      <Section
        id="users-title"
        title="Users"
        description="Everyone with an account in this tenant."
        actions={
          canWrite ? (
            <Button variant="primary" onClick={() => setInviting(true)}>
              Invite user…
            </Button>
          ) : (
            <span className="text-xs text-muted">
              Read-only: inviting and changing users needs users:write.
            </span>
          )
        }
      >
        <form
          role="search"
          aria-label="Filter users"
          className="mb-3 flex flex-wrap gap-2"
          onSubmit={(event) => event.preventDefault()}
        >
          <input
            aria-label="Search by e-mail or name"
            placeholder="Search by e-mail or name"
            className={`${INPUT} max-w-xs`}
            defaultValue={q}
            key={`q-${q}`}
            maxLength={200}
            onBlur={(e) => filter({ q: e.target.value.trim() })}
            onKeyDown={(e) => e.key === 'Enter' && filter({ q: e.currentTarget.value.trim() })}
          />
          <select
            aria-label="Status"
            className={`${INPUT} max-w-[12rem]`}
            value={status ?? ''}
            onChange={(e) => filter({ status: e.target.value })}
          >
            <option value="">Any status</option>
            {USER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </option>
            ))}
          </select>
        </form>
        <OutcomeNotice outcome={outcome} className="mb-3" />
        {users.error !== undefined || items === undefined ? (
          <NotReady resource={users} what="the tenant's users" />
        ) : items.length === 0 ? (
          <Empty title={q || status ? 'No user matches' : 'No users yet'}>
            {q || status ? 'Clear the search or the status filter.' : 'Invite the first one.'}
          </Empty>
        ) : (
          <div className="overflow-x-auto" tabIndex={0} aria-label="Users (scrollable)">
            <table className="w-full text-left text-sm">
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    User
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Status
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Roles
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Two-factor
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Last sign-in
                  </th>
                  {canWrite ? (
                    <th scope="col" className="py-1 font-normal">
                      <span className="sr-only">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {items.map((user) => {
                  const self = user.id === me.user.id;
                  return (
                    <tr
                      key={user.id}
                      data-testid="user-row"
                      data-user-email={user.email}
                      className="border-t border-line/60 align-top"
                    >
                      <td className="py-2 pr-3">
                        <span className="block">
                          {user.displayName || user.email}
                          {self ? <span className="ml-1 text-xs text-muted">(you)</span> : null}
                        </span>
                        {user.displayName ? (
                          <span className="block text-xs text-muted">{user.email}</span>
                        ) : null}
                      </td>
                      <td className="py-2 pr-3">
                        <span
                          data-testid="user-status"
                          className={`inline-block rounded border px-1.5 py-0.5 text-xs ${STATUS_TONE[user.status]}`}
                        >
                          {user.status}
                        </span>
                      </td>
                      <td className="py-2 pr-3" data-testid="user-roles">
                        {user.roles.length === 0 ? (
                          <span className="text-muted">no role</span>
                        ) : (
                          user.roles.map((role) => role.name).join(', ')
                        )}
                        {user.superAdmin ? (
                          <span className="ml-1 rounded border border-accent/50 px-1 text-xs text-accent">
                            super admin
                          </span>
                        ) : null}
                        {user.platformOperator ? (
                          <span
                            className="ml-1 rounded border border-sev-medium/50 px-1 text-xs text-sev-medium"
                            title="A platform operator working in this tenant; disable it to close the tenant to that operator"
                          >
                            platform operator
                          </span>
                        ) : null}
                      </td>
                      <td className="py-2 pr-3">{user.totpEnabled ? 'On' : 'Off'}</td>
                      <td className="py-2 pr-3 whitespace-nowrap">
                        <TimeCell iso={user.lastLoginAt} />
                      </td>
                      {canWrite ? (
                        <td className="py-2">
                          <div className="flex flex-wrap justify-end gap-1.5">
                            {canReadRoles ? (
                              <Button variant="ghost" onClick={() => setEditing(user)}>
                                Roles…
                              </Button>
                            ) : null}
                            {user.status === 'invited' ? (
                              <Button
                                variant="ghost"
                                onClick={() =>
                                  void act(async () => {
                                    const sent = await must(
                                      api.POST('/api/users/{id}/invite', {
                                        params: { path: { id: user.id } },
                                      }),
                                    );
                                    return sent.invitationSent
                                      ? `A new invitation went to ${user.email}; the previous link no longer works.`
                                      : `The invitation mail to ${user.email} could not be sent; check the mail settings and retry.`;
                                  })
                                }
                              >
                                Resend invitation
                              </Button>
                            ) : null}
                            {user.status === 'active' && !self ? (
                              <>
                                <Button
                                  variant="ghost"
                                  onClick={() => setPending({ kind: 'end-sessions', user })}
                                >
                                  End sessions…
                                </Button>
                                <Button variant="ghost" onClick={() => setPending({ kind: 'disable', user })}>
                                  Disable…
                                </Button>
                              </>
                            ) : null}
                            {user.status === 'disabled' ? (
                              <Button variant="ghost" onClick={() => void setStatus(user, 'active')}>
                                Enable
                              </Button>
                            ) : null}
                          </div>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton list={users} what="users" />
      </Section>

      <InviteDialog
        open={inviting}
        onOpenChange={setInviting}
        roles={canReadRoles ? roles : null}
        held={held}
        onInvited={(result) => {
          setInviting(false);
          setOutcome(
            result.invitationSent
              ? { ok: true, message: `Invitation mailed to ${result.user.email}.` }
              : {
                  ok: false,
                  message: `${result.user.email} was created, but the invitation mail could not be sent: use "Resend invitation".`,
                },
          );
          users.reload();
        }}
      />
      {editing ? (
        <UserRolesDialog
          user={editing}
          roles={canReadRoles ? roles : null}
          held={held}
          onOpenChange={(open) => !open && setEditing(null)}
          onSaved={(user) => {
            setEditing(null);
            setOutcome({
              ok: true,
              message: `${user.email} now holds ${
                user.roles
                  .map((r) => r.name)
                  .sort()
                  .join(', ') || 'no role'
              }.`,
            });
            users.reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        title={
          pending?.kind === 'disable'
            ? `Disable ${pending.user.email}`
            : `End the sessions of ${pending?.user.email ?? ''}`
        }
        description={
          pending?.kind === 'disable'
            ? 'They can no longer sign in, and every session they have ends now. You can enable them again later.'
            : 'Every session of this user ends now; they can sign in again.'
        }
        confirm={pending?.kind === 'disable' ? 'Disable' : 'End sessions'}
        onConfirm={async () => {
          const target = pending;
          setPending(null);
          if (target === null) return;
          if (target.kind === 'disable') return setStatus(target.user, 'disabled');
          return act(async () => {
            const result = await must(
              api.POST('/api/users/{id}/sessions/revoke', { params: { path: { id: target.user.id } } }),
            );
            return `${result.revoked} session${result.revoked === 1 ? '' : 's'} of ${target.user.email} ended.`;
          });
        }}
      />
    </div>
  );
}
