// One agent: its health from the last heartbeat, its sensors, whether it runs its group's current policy,
// its certificate, and the move / revoke actions. Refreshes every 15 s like the table.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { ApiError, describe } from '../api/problem.js';
import { Link } from '../shell/Shell.js';
import { Button, Empty, ErrorState, Loading } from '../ui/primitives.js';
import { MoveAgentDialog, RevokeAgentDialog } from './AgentDialogs.js';
import { absoluteTime, bytes, count, duration } from './format.js';
import { agentsHref } from './filters.js';
import { AgentStatusBadge, REFRESH_MS, TABLE, TD, TH, TimeAgo, useGroups, useNow } from './parts.js';
import type { AgentDetail } from './types.js';

const SENSOR_STATE: Record<AgentDetail['sensors'][number]['state'], string> = {
  running: 'text-emerald-300',
  degraded: 'text-sev-high',
  failed: 'text-sev-critical',
  disabled: 'text-muted',
  unspecified: 'text-muted',
};

export function AgentDetailView({ id }: { id: string }) {
  const { api } = useConsole();
  const now = useNow();
  const { groups } = useGroups();
  const [agent, setAgent] = useState<AgentDetail | null>(null);
  const [error, setError] = useState<{ message: string; missing: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const generation = useRef(0);

  const load = useCallback(
    (quiet = false) => {
      const mine = ++generation.current;
      if (!quiet) setError(null);
      must(api.GET('/api/fleet/agents/{id}', { params: { path: { id } } }))
        .then((next) => {
          if (mine !== generation.current) return;
          setAgent(next);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (mine !== generation.current) return;
          setError({
            message: describe(failure),
            missing: failure instanceof ApiError && failure.status === 404,
          });
        });
    },
    [api, id],
  );

  useEffect(() => load(), [load]);
  useEffect(() => {
    const timer = window.setInterval(() => !document.hidden && load(true), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const back = (
    <Link href={agentsHref()} className="text-sm text-accent hover:underline">
      ← All agents
    </Link>
  );

  if (error?.missing) {
    return (
      <div className="p-4">
        {back}
        <Empty title="No such agent">It is not enrolled in this tenant, or the link is wrong.</Empty>
      </div>
    );
  }
  if (agent === null) {
    return (
      <div className="p-4">
        {back}
        {error ? <ErrorState message={error.message} onRetry={() => load()} /> : <Loading what="the agent" />}
      </div>
    );
  }

  const policyState =
    agent.desiredPolicyVersion === null
      ? 'no policy'
      : agent.policyVersion === agent.desiredPolicyVersion
        ? `v${agent.policyVersion} (current)`
        : `v${agent.policyVersion ?? '—'}, v${agent.desiredPolicyVersion} pending (applied at its next heartbeat)`;

  return (
    <div
      role="region"
      aria-label={`Agent ${agent.hostName}`}
      tabIndex={0}
      className="min-h-0 flex-1 overflow-auto p-4"
    >
      {back}
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">{agent.hostName}</h2>
        <AgentStatusBadge status={agent.status} />
        <span className="font-mono text-xs text-muted">{agent.id}</span>
        {agent.status === 'revoked' ? null : (
          <span className="ml-auto flex gap-2">
            <Button onClick={() => setMoving(true)}>Move to another group…</Button>
            <Button variant="danger" onClick={() => setRevoking(true)}>
              Revoke…
            </Button>
          </span>
        )}
      </div>
      {notice ? (
        <p role="status" className="mt-2 text-sm">
          {notice}
        </p>
      ) : null}
      {error ? (
        <p role="status" className="mt-2 text-xs text-sev-high">
          Refresh failed ({error.message}); showing the last answer.
        </p>
      ) : null}
      {agent.revokedAt ? (
        <p className="mt-3 rounded border border-line bg-raised p-3 text-sm">
          Revoked <TimeAgo iso={agent.revokedAt} now={now} />
          {agent.revokedReason ? `: ${agent.revokedReason}` : ''}. Its connections are refused.
        </p>
      ) : null}

      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <Facts title="Host">
          <Fact name="OS">
            {agent.os} · {agent.architecture}
          </Fact>
          <Fact name="Kind">{agent.kind === 'ot_gateway' ? 'OT gateway' : 'Endpoint'}</Fact>
          <Fact name="IP addresses">
            <span className="font-mono text-xs">{agent.ipAddresses.join(', ') || '—'}</span>
          </Fact>
          <Fact name="Host id">
            <span className="font-mono text-xs break-all">{agent.hostId}</span>
          </Fact>
        </Facts>
        <Facts title="Agent">
          <Fact name="Version">
            <span className="font-mono">{agent.version}</span>
          </Fact>
          <Fact name="Group">{agent.groupName}</Fact>
          <Fact name="Policy">{policyState}</Fact>
          <Fact name="Enrolled">
            <TimeAgo iso={agent.enrolledAt} now={now} />
          </Fact>
          <Fact name="Last seen">
            <TimeAgo iso={agent.lastSeenAt} now={now} />
          </Fact>
          <Fact name="Heartbeat">every {agent.heartbeatIntervalSeconds} s</Fact>
        </Facts>
        <Facts title="Health (last heartbeat)">
          <Fact name="Queue">
            {count(agent.queueDepthEvents)} events · {bytes(agent.spoolBytes)}
          </Fact>
          <Fact name="Dropped since start">{count(agent.droppedEvents)}</Fact>
          <Fact name="Backlog (unacknowledged)">{count(agent.backlog)}</Fact>
          <Fact name="CPU">{agent.cpuPercent === null ? '—' : `${agent.cpuPercent.toFixed(1)} %`}</Fact>
          <Fact name="Memory">{bytes(agent.memoryRssBytes)}</Fact>
          <Fact name="Uptime">{duration(agent.uptimeSeconds)}</Fact>
          <Fact name="Clock skew">{agent.clockSkewMs === null ? '—' : `${agent.clockSkewMs} ms`}</Fact>
        </Facts>
      </div>

      <h3 className="mt-6 mb-2 text-base font-semibold">Sensors</h3>
      {agent.sensors.length === 0 ? (
        <p className="text-sm text-muted">No sensor reported yet (they come with the heartbeats).</p>
      ) : (
        <table className={TABLE}>
          <thead>
            <tr>
              <th scope="col" className={TH}>
                Sensor
              </th>
              <th scope="col" className={TH}>
                State
              </th>
              <th scope="col" className={`${TH} text-right`}>
                Events
              </th>
              <th scope="col" className={TH}>
                Message
              </th>
            </tr>
          </thead>
          <tbody>
            {agent.sensors.map((sensor) => (
              <tr key={sensor.sensor}>
                <td className={TD}>{sensor.sensor.replace('_', ' ')}</td>
                <td className={`${TD} ${SENSOR_STATE[sensor.state]}`}>{sensor.state}</td>
                <td className={`${TD} text-right font-mono text-xs`}>{sensor.events.toLocaleString()}</td>
                <td className={`${TD} text-muted`}>{sensor.message || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3 className="mt-6 mb-2 text-base font-semibold">Certificate</h3>
      <dl className="grid grid-cols-[10rem_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-muted">Serial</dt>
        <dd className="font-mono text-xs break-all">{agent.certificate.serial}</dd>
        <dt className="text-muted">SHA-256</dt>
        <dd className="font-mono text-xs break-all">{agent.certificate.sha256}</dd>
        <dt className="text-muted">Valid until</dt>
        <dd>{absoluteTime(agent.certificate.notAfter)}</dd>
      </dl>

      <MoveAgentDialog
        agent={moving ? agent : null}
        groups={groups}
        onCancel={() => setMoving(false)}
        onMoved={(next, message) => {
          setMoving(false);
          setAgent(next);
          setNotice(message);
        }}
      />
      <RevokeAgentDialog
        agent={revoking ? agent : null}
        onCancel={() => setRevoking(false)}
        onRevoked={(next, message) => {
          setRevoking(false);
          setAgent(next);
          setNotice(message);
        }}
      />
    </div>
  );
}

function Facts({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded border border-line bg-panel p-3">
      <h3 className="mb-2 text-sm font-semibold">{title}</h3>
      <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1 text-sm">{children}</dl>
    </section>
  );
}

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-muted">{name}</dt>
      <dd className="min-w-0">{children}</dd>
    </>
  );
}
