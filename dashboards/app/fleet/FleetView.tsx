// The fleet, for the IT team running the agents: /fleet lists the agents (health from their heartbeats,
// filters in the URL, live every 15 s), /fleet/agents/<id> shows one, /fleet/tokens creates and revokes
// enrollment tokens (the install command shown once, copyable), /fleet/groups lists the groups and their
// policy versions.
import type { ReactNode } from 'react';
import { Link } from '../shell/Shell.js';
import { useRoute } from '../shell/router.js';
import { Empty } from '../ui/primitives.js';
import { AgentDetailView } from './AgentDetail.js';
import { AgentsTab } from './AgentsTab.js';
import { agentsHref } from './filters.js';
import { GroupsTab } from './GroupsTab.js';
import { TokensTab } from './TokensTab.js';

type Tab = 'agents' | 'tokens' | 'groups';

export function FleetView() {
  const route = useRoute();
  const agent = /^\/fleet\/agents\/([^/]+)$/.exec(route.path)?.[1];
  let tab: Tab | null;
  let body: ReactNode;
  if (route.path === '/fleet' || route.path === '/fleet/agents') {
    tab = 'agents';
    body = <AgentsTab />;
  } else if (agent !== undefined) {
    tab = 'agents';
    body = <AgentDetailView id={decodeURIComponent(agent)} key={agent} />;
  } else if (route.path === '/fleet/tokens') {
    tab = 'tokens';
    body = <TokensTab />;
  } else if (route.path === '/fleet/groups') {
    tab = 'groups';
    body = <GroupsTab />;
  } else {
    tab = null;
    body = (
      <Empty title="This fleet page does not exist">
        <Link href="/fleet" className="text-accent underline">
          Go to the agents
        </Link>
      </Empty>
    );
  }

  return (
    <section aria-labelledby="fleet-title" className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 pt-3">
        <h1 id="fleet-title" className="text-lg font-semibold">
          Fleet
        </h1>
        <nav aria-label="Fleet sections" className="mt-2">
          <ul className="flex gap-1">
            <TabLink href={agentsHref()} current={tab === 'agents'}>
              Agents
            </TabLink>
            <TabLink href="/fleet/tokens" current={tab === 'tokens'}>
              Enrollment tokens
            </TabLink>
            <TabLink href="/fleet/groups" current={tab === 'groups'}>
              Groups
            </TabLink>
          </ul>
        </nav>
      </header>
      {body}
    </section>
  );
}

function TabLink({ href, current, children }: { href: string; current: boolean; children: ReactNode }) {
  return (
    <li>
      <Link
        href={href}
        className={`-mb-px block border-b-2 px-3 py-2 text-sm ${current ? 'border-accent text-fg' : 'border-transparent text-muted hover:text-fg'}`}
      >
        <span aria-current={current ? 'page' : undefined}>{children}</span>
      </Link>
    </li>
  );
}
