// The two agent actions: move to another group (the agent takes that group's policy at its next heartbeat)
// and revoke (its certificate is refused from then on). Both say what will happen before anything is sent.
import { useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Button, Dialog, Field, INPUT } from '../ui/primitives.js';
import type { Agent, AgentDetail, AgentGroup } from './types.js';

type AgentRef = Pick<Agent, 'id' | 'hostName' | 'groupId' | 'groupName'>;

export function MoveAgentDialog({
  agent,
  groups,
  onCancel,
  onMoved,
}: {
  agent: AgentRef | null;
  groups: AgentGroup[] | null;
  onCancel: () => void;
  onMoved: (agent: AgentDetail, message: string) => void;
}) {
  const { api } = useConsole();
  const others = (groups ?? []).filter((group) => group.id !== agent?.groupId);
  const [choice, setChoice] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target = others.find((group) => group.id === choice) ?? others[0];

  function close(): void {
    setChoice('');
    setError(null);
    onCancel();
  }

  async function move(): Promise<void> {
    if (!agent || !target) return;
    setBusy(true);
    setError(null);
    try {
      const moved = await must(
        api.PATCH('/api/fleet/agents/{id}', {
          params: { path: { id: agent.id } },
          body: { groupId: target.id },
        }),
      );
      setChoice('');
      onMoved(
        moved,
        `${moved.hostName} moved to ${moved.groupName}: it takes that group's policy at its next heartbeat.`,
      );
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={agent !== null}
      onOpenChange={(open) => !open && close()}
      title={agent ? `Move ${agent.hostName}` : 'Move agent'}
      description={
        agent
          ? `It is in ${agent.groupName}. In its new group it takes that group's policy (sensors, spool and batch limits) at its next heartbeat.`
          : ''
      }
    >
      {groups === null ? (
        <p className="text-sm text-muted">Loading groups…</p>
      ) : others.length === 0 ? (
        <div className="space-y-3 text-sm">
          <p>There is no other group to move it to. Create one in the Groups tab first.</p>
          <div className="flex justify-end">
            <Button onClick={close}>Close</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            void move();
          }}
        >
          <Field label="New group">
            <select
              className={INPUT}
              value={target?.id ?? ''}
              onChange={(event) => setChoice(event.target.value)}
            >
              {others.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                  {group.policyVersion !== null ? ` (policy v${group.policyVersion})` : ''}
                </option>
              ))}
            </select>
          </Field>
          {error ? (
            <p role="alert" className="text-sm text-sev-critical">
              {error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? 'Moving…' : 'Move agent'}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function RevokeAgentDialog({
  agent,
  onCancel,
  onRevoked,
}: {
  agent: AgentRef | null;
  onCancel: () => void;
  onRevoked: (agent: AgentDetail, message: string) => void;
}) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close(): void {
    setReason('');
    setError(null);
    onCancel();
  }

  async function revoke(): Promise<void> {
    if (!agent) return;
    setBusy(true);
    setError(null);
    try {
      const revoked = await must(
        api.POST('/api/fleet/agents/{id}/revoke', {
          params: { path: { id: agent.id } },
          body: reason.trim() ? { reason: reason.trim() } : {},
        }),
      );
      setReason('');
      onRevoked(revoked, `${revoked.hostName} is revoked: its next connection will be refused.`);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={agent !== null}
      onOpenChange={(open) => !open && close()}
      title={agent ? `Revoke ${agent.hostName}?` : 'Revoke agent?'}
      description="Its certificate is revoked: the agent's next connection to a collector or to the control plane fails, so it stops sending telemetry and receiving policy. Events it already sent stay. This cannot be undone: to monitor the host again, enroll it with a new enrollment token."
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          void revoke();
        }}
      >
        <Field label="Reason (optional, kept in the audit log)">
          <input
            className={INPUT}
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder="Host decommissioned"
          />
        </Field>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="danger" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke agent'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
