// Enrollment tokens: the list (never the secrets), creating one for a group with an expiry and a number of
// uses (the token and its install command are shown once, with a Copy button), and revoking one.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Button, Dialog, Empty, ErrorState, Field, INPUT, Loading } from '../ui/primitives.js';
import { CopyField } from './CopyField.js';
import { absoluteTime } from './format.js';
import {
  Pager,
  TABLE,
  TD,
  TH,
  TimeAgo,
  TokenStatusBadge,
  useCursorPages,
  useGroups,
  useNow,
} from './parts.js';
import type { AgentGroup, EnrollmentToken, IssuedToken, TokenPage } from './types.js';

const PAGE = 50;

const VALIDITY = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days' },
] as const;

export function TokensTab() {
  const { api } = useConsole();
  const now = useNow();
  const paging = useCursorPages('tokens');
  const { groups, error: groupsError } = useGroups();
  const [page, setPage] = useState<TokenPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<EnrollmentToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const generation = useRef(0);
  const cursor = paging.cursor;

  const load = useCallback(
    (quiet = false) => {
      const mine = ++generation.current;
      if (!quiet) {
        setPage(null);
        setError(null);
      }
      must(
        api.GET('/api/fleet/enrollment-tokens', {
          params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
        }),
      )
        .then((next) => mine === generation.current && setPage(next))
        .catch((failure: unknown) => mine === generation.current && setError(describe(failure)));
    },
    [api, cursor],
  );

  useEffect(() => load(), [load]);

  const items = page?.items ?? [];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-3 border-b border-line px-4 py-3">
        <p className="max-w-3xl text-sm text-muted">
          A token lets hosts enroll into a group: run its install command on each host. Tokens are shown once,
          when created; this list keeps only their use.
        </p>
        <Button variant="primary" className="ml-auto" onClick={() => setCreating(true)}>
          Create enrollment token
        </Button>
      </div>
      {notice ? (
        <p role="status" className="border-b border-line px-4 py-2 text-sm" data-testid="tokens-notice">
          {notice}
        </p>
      ) : null}

      {error ? (
        <ErrorState message={error} onRetry={() => load()} />
      ) : page === null ? (
        <Loading what="enrollment tokens" />
      ) : items.length === 0 ? (
        <Empty title="No enrollment tokens yet">
          Create one to enroll agents: it comes with the command to run on each host.
        </Empty>
      ) : (
        <div
          role="region"
          aria-label="Enrollment tokens table"
          tabIndex={0}
          className="min-h-0 flex-1 overflow-auto"
        >
          <table className={TABLE}>
            <caption className="sr-only">Enrollment tokens, newest first</caption>
            <thead>
              <tr>
                <th scope="col" className={TH}>
                  Description
                </th>
                <th scope="col" className={TH}>
                  Group
                </th>
                <th scope="col" className={TH}>
                  Status
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Uses
                </th>
                <th scope="col" className={TH}>
                  Expires
                </th>
                <th scope="col" className={TH}>
                  Last used
                </th>
                <th scope="col" className={TH}>
                  Created
                </th>
                <th scope="col" className={TH}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((token) => (
                <tr key={token.id} data-testid="token-row" data-token-id={token.id}>
                  <td className={TD}>
                    {token.description || <span className="text-muted">No description</span>}
                  </td>
                  <td className={TD}>{token.groupName}</td>
                  <td className={TD}>
                    <TokenStatusBadge status={token.status} />
                  </td>
                  <td className={`${TD} text-right font-mono text-xs`}>
                    {token.uses} / {token.maxUses}
                  </td>
                  <td className={`${TD} whitespace-nowrap ${token.status === 'active' ? '' : 'text-muted'}`}>
                    {token.status === 'revoked' || token.status === 'used' ? (
                      <span className="sr-only">Not usable; would have expired </span>
                    ) : null}
                    <TimeAgo iso={token.expiresAt} now={now} />
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <TimeAgo iso={token.lastUsedAt} now={now} />
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <TimeAgo iso={token.createdAt} now={now} />
                  </td>
                  <td className={`${TD} text-right`}>
                    {token.status === 'active' ? (
                      <Button variant="ghost" onClick={() => setRevoking(token)}>
                        Revoke<span className="sr-only"> token {token.description || token.id}</span>
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page ? (
        <Pager
          label="Token pages"
          page={paging.page}
          shown={items.length}
          nextCursor={page.nextCursor}
          onNext={paging.next}
          onPrevious={paging.previous}
        />
      ) : null}

      <CreateTokenDialog
        open={creating}
        groups={groups}
        groupsError={groupsError}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setNotice(null);
          if (paging.page === 1) load(true);
          else paging.first();
        }}
      />
      <RevokeTokenDialog
        token={revoking}
        onCancel={() => setRevoking(null)}
        onRevoked={(token) => {
          setRevoking(null);
          setNotice(
            `Token ${token.description ? `“${token.description}” ` : ''}revoked: hosts can no longer enroll with it.`,
          );
          load(true);
        }}
      />
    </div>
  );
}

function CreateTokenDialog({
  open,
  groups,
  groupsError,
  onClose,
  onCreated,
}: {
  open: boolean;
  groups: AgentGroup[] | null;
  groupsError: string | null;
  onClose: () => void;
  onCreated: (token: IssuedToken) => void;
}) {
  const { api } = useConsole();
  const [groupId, setGroupId] = useState('');
  const [description, setDescription] = useState('');
  const [ttlSeconds, setTtlSeconds] = useState<number>(86_400);
  const [maxUses, setMaxUses] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const group = groups?.find((g) => g.id === groupId) ?? groups?.find((g) => g.isDefault) ?? groups?.[0];
  const uses = Number(maxUses);
  const usesValid = Number.isInteger(uses) && uses >= 1 && uses <= 10_000;

  function close(): void {
    // The token leaves memory with the dialog: it is never shown again.
    setIssued(null);
    setError(null);
    setDescription('');
    setMaxUses('1');
    setTtlSeconds(86_400);
    setGroupId('');
    onClose();
  }

  async function create(): Promise<void> {
    if (!group || !usesValid) return;
    setBusy(true);
    setError(null);
    try {
      const token = await must(
        api.POST('/api/fleet/enrollment-tokens', {
          body: {
            groupId: group.id,
            ttlSeconds,
            maxUses: uses,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      );
      setIssued(token);
      onCreated(token);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  if (issued) {
    return (
      <Dialog
        open={open}
        onOpenChange={(next) => !next && close()}
        title="Enrollment token created"
        description="Copy the install command now: the token is shown only this once and cannot be retrieved later."
      >
        <div className="space-y-3">
          <CopyField
            label="Install command"
            value={issued.installCommand}
            rows={5}
            testId="install-command"
          />
          <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-xs">
            <dt className="text-muted">Group</dt>
            <dd>{issued.groupName}</dd>
            <dt className="text-muted">Enrollments</dt>
            <dd>
              {issued.maxUses} host{issued.maxUses === 1 ? '' : 's'}
            </dd>
            <dt className="text-muted">Valid until</dt>
            <dd>{absoluteTime(issued.expiresAt)}</dd>
            <dt className="text-muted">Server</dt>
            <dd className="font-mono break-all">{issued.server}</dd>
            <dt className="text-muted">Root CA SHA-256</dt>
            <dd className="font-mono break-all">{issued.caSha256}</dd>
          </dl>
          <p className="text-xs text-muted">
            Run it on each host where the InoSec agent is installed: the agent trusts the server only if its
            root certificate has that fingerprint, then joins {issued.groupName}.
          </p>
          <div className="flex justify-end">
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !next && close()}
      title="Create an enrollment token"
      description="Hosts that enroll with it join the group you choose and take that group's policy."
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <Field label="Group">
          <select
            className={INPUT}
            value={group?.id ?? ''}
            onChange={(event) => setGroupId(event.target.value)}
            disabled={!groups}
          >
            {groups === null ? <option value="">{groupsError ?? 'Loading groups…'}</option> : null}
            {(groups ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
                {g.isDefault ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Description (optional)">
          <input
            className={INPUT}
            maxLength={200}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            placeholder="Web servers rollout"
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Valid for">
            <select
              className={INPUT}
              value={ttlSeconds}
              onChange={(event) => setTtlSeconds(Number(event.target.value))}
            >
              {VALIDITY.map((option) => (
                <option key={option.seconds} value={option.seconds}>
                  {option.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Hosts it can enroll" hint="1 to 10,000">
            <input
              className={INPUT}
              type="number"
              min={1}
              max={10_000}
              step={1}
              required
              value={maxUses}
              onChange={(event) => setMaxUses(event.target.value)}
              aria-invalid={!usesValid}
            />
          </Field>
        </div>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || !group || !usesValid}>
            {busy ? 'Creating…' : 'Create token'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RevokeTokenDialog({
  token,
  onCancel,
  onRevoked,
}: {
  token: EnrollmentToken | null;
  onCancel: () => void;
  onRevoked: (token: EnrollmentToken) => void;
}) {
  const { api } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close(): void {
    setError(null);
    onCancel();
  }

  async function revoke(): Promise<void> {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await must(api.DELETE('/api/fleet/enrollment-tokens/{id}', { params: { path: { id: token.id } } }));
      onRevoked(token);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={token !== null}
      onOpenChange={(next) => !next && close()}
      title="Revoke this enrollment token?"
      description={`Hosts can no longer enroll with it${token ? ` (${token.uses} of ${token.maxUses} uses made)` : ''}. Agents it already enrolled stay enrolled: revoke them in the Agents tab if needed.`}
    >
      {error ? (
        <p role="alert" className="mb-3 text-sm text-sev-critical">
          {error}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button onClick={close}>Cancel</Button>
        <Button variant="danger" disabled={busy} onClick={() => void revoke()}>
          {busy ? 'Revoking…' : 'Revoke token'}
        </Button>
      </div>
    </Dialog>
  );
}
