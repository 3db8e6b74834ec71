// Agent groups: each with its agents and the version of its current policy (what its agents are told at
// their heartbeat). Creating a group gives it the default policy; editing policies is not part of this view.
import { useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { Button, Dialog, Empty, ErrorState, Field, INPUT, Loading } from '../ui/primitives.js';
import { TABLE, TD, TH, TimeAgo, useGroups, useNow } from './parts.js';
import type { AgentGroup } from './types.js';

export function GroupsTab() {
  const { groups, error, reload } = useGroups();
  const now = useNow(30_000);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-3 border-b border-line px-4 py-3">
        <p className="max-w-3xl text-sm text-muted">
          A group&apos;s policy decides its agents&apos; sensors and limits; agents take a new version at
          their next heartbeat.
        </p>
        <Button variant="primary" className="ml-auto" onClick={() => setCreating(true)}>
          Create group
        </Button>
      </div>
      {notice ? (
        <p role="status" className="border-b border-line px-4 py-2 text-sm">
          {notice}
        </p>
      ) : null}
      {error && groups === null ? (
        <ErrorState message={error} onRetry={reload} />
      ) : groups === null ? (
        <Loading what="agent groups" />
      ) : groups.length === 0 ? (
        <Empty title="No agent groups">The default group appears with the first enrollment token.</Empty>
      ) : (
        <div
          role="region"
          aria-label="Agent groups table"
          tabIndex={0}
          className="min-h-0 flex-1 overflow-auto"
        >
          <table className={TABLE}>
            <caption className="sr-only">Agent groups, by name</caption>
            <thead>
              <tr>
                <th scope="col" className={TH}>
                  Name
                </th>
                <th scope="col" className={TH}>
                  Description
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Agents
                </th>
                <th scope="col" className={TH}>
                  Policy version
                </th>
                <th scope="col" className={TH}>
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={group.id} data-testid="group-row" data-group-id={group.id}>
                  <td className={TD}>
                    <span className="font-medium">{group.name}</span>
                    {group.isDefault ? (
                      <span className="ml-2 rounded border border-line px-1.5 py-0.5 text-xs text-muted">
                        default
                      </span>
                    ) : null}
                  </td>
                  <td className={`${TD} text-muted`}>{group.description || '—'}</td>
                  <td className={`${TD} text-right`}>
                    <Link
                      href={`/fleet?group=${group.id}`}
                      className="font-mono text-xs text-accent hover:underline"
                    >
                      {group.agentCount}
                      <span className="sr-only"> agents in {group.name}</span>
                    </Link>
                  </td>
                  <td className={TD}>
                    {group.policyVersion === null ? (
                      <span className="text-muted">none</span>
                    ) : (
                      <>
                        v{group.policyVersion}
                        <span className="text-xs text-muted"> (revision {group.policyRevision})</span>
                      </>
                    )}
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <TimeAgo iso={group.updatedAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateGroupDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(group) => {
          setCreating(false);
          setNotice(`Group ${group.name} created with the default policy (v${group.policyVersion ?? '—'}).`);
          reload();
        }}
      />
    </div>
  );
}

function CreateGroupDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (group: AgentGroup) => void;
}) {
  const { api } = useConsole();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function reset(): void {
    setName('');
    setDescription('');
    setError(null);
  }

  async function create(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const group = await must(
        api.POST('/api/fleet/groups', {
          body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
        }),
      );
      reset();
      onCreated(group);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          reset();
          onClose();
        }
      }}
      title="Create an agent group"
      description="It starts with the default policy. Move agents into it, or enroll hosts with a token for it."
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <Field label="Name">
          <input
            className={INPUT}
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <Field label="Description (optional)">
          <input
            className={INPUT}
            maxLength={500}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </Field>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button
            onClick={() => {
              reset();
              onClose();
            }}
          >
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create group'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
