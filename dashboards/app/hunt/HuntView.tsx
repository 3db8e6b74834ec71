// Hunt: a query builder over the stored telemetry (/hunt) and a tab that runs one Sigma rule over a time
// range (/hunt/sigma). Each tab keeps its state in the URL query.
import { Link } from '../shell/Shell.js';
import { useRoute } from '../shell/router.js';
import { Empty } from '../ui/primitives.js';
import { QueryTab } from './QueryTab.js';
import { SigmaTab } from './SigmaTab.js';

const TABS = [
  { path: '/hunt', label: 'Query events' },
  { path: '/hunt/sigma', label: 'Run a Sigma rule' },
] as const;

export function HuntView() {
  const route = useRoute();
  const known = TABS.some((tab) => tab.path === route.path);
  return (
    <section aria-labelledby="hunt-title" className="flex h-full flex-col overflow-auto">
      <header className="border-b border-line bg-panel px-4 pt-3">
        <h1 id="hunt-title" className="text-lg font-semibold">
          Hunt
        </h1>
        <nav aria-label="Hunt tabs" className="mt-2 flex gap-1">
          {TABS.map((tab) => (
            <Link
              key={tab.path}
              href={tab.path}
              className={`rounded-t border-b-2 px-3 py-1.5 text-sm ${route.path === tab.path ? 'border-accent text-fg' : 'border-transparent text-muted hover:text-fg'}`}
            >
              <span aria-current={route.path === tab.path ? 'page' : undefined}>{tab.label}</span>
            </Link>
          ))}
        </nav>
      </header>
      {route.path === '/hunt/sigma' ? (
        <SigmaTab />
      ) : known ? (
        <QueryTab />
      ) : (
        <Empty title="This hunt page does not exist">
          <Link href="/hunt" className="text-accent underline">
            Go to the hunt
          </Link>
        </Empty>
      )}
    </section>
  );
}
