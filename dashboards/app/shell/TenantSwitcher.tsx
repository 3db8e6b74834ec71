// The tenant switcher of platform operators (super admins), as managed security providers work: pick a customer
// tenant and the console reopens inside it, as the operator's delegate there (its administrators see it); a
// banner names the tenant while the operator is away and brings it back to its own. Switching reloads the
// console, so no data of one tenant stays in memory under another.
import { useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import { Button, Dialog, Empty, ErrorState, INPUT, Loading } from '../ui/primitives.js';
import type { HomeSession } from '../auth/session.js';

interface TenantItem {
  id: string;
  slug: string;
  name: string;
}

type Listing =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; items: TenantItem[]; more: boolean };

const PAGE = 50;

/** "Switch tenant" for a super admin in its own tenant: a searchable list of the active tenants. */
export function TenantSwitcher({ ownTenant }: { ownTenant: { id: string; slug: string } }) {
  const { api, session } = useConsole();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [entering, setEntering] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let current = true;
    setListing({ status: 'loading' });
    const timer = setTimeout(() => {
      const q = query.trim();
      must(
        api.GET('/api/platform/tenants', {
          params: { query: { status: 'active', limit: PAGE, ...(q === '' ? {} : { q }) } },
        }),
      )
        .then((page) => {
          if (current) setListing({ status: 'ready', items: page.items, more: page.nextCursor !== null });
        })
        .catch((error: unknown) => {
          if (current) setListing({ status: 'error', message: describe(error) });
        });
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, open, query, attempt]);

  async function enter(tenant: TenantItem): Promise<void> {
    setEntering(tenant.id);
    setRefusal(null);
    try {
      await session.enterTenant(tenant.id, ownTenant.slug);
      window.location.assign('/alerts');
    } catch (error) {
      setRefusal(describe(error));
      setEntering(null);
    }
  }

  return (
    <>
      <Button variant="ghost" className="mt-2 w-full justify-center" onClick={() => setOpen(true)}>
        Switch tenant
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) setRefusal(null);
        }}
        title="Switch tenant"
        description="Work inside a customer tenant as a platform operator. Its administrators see you in their users and audit log."
      >
        <label className="block text-sm">
          <span className="mb-1 block text-muted">Find a tenant</span>
          <input
            type="search"
            className={INPUT}
            value={query}
            placeholder="name or sign-in name"
            onChange={(event) => setQuery(event.target.value)}
            autoFocus
          />
        </label>
        {refusal !== null ? (
          <p role="alert" className="mt-3 rounded border border-sev-high/50 p-2 text-sm text-sev-high">
            {refusal}
          </p>
        ) : null}
        <div className="mt-3 max-h-72 overflow-y-auto" tabIndex={0} aria-label="Tenants">
          {listing.status === 'loading' ? <Loading what="tenants" /> : null}
          {listing.status === 'error' ? (
            <ErrorState message={listing.message} onRetry={() => setAttempt((n) => n + 1)} />
          ) : null}
          {listing.status === 'ready' && listing.items.length === 0 ? (
            <Empty title="No active tenant matches" />
          ) : null}
          {listing.status === 'ready' && listing.items.length > 0 ? (
            <ul className="space-y-1" data-testid="tenant-list">
              {listing.items.map((tenant) => {
                const own = tenant.id === ownTenant.id;
                return (
                  <li key={tenant.id}>
                    <button
                      type="button"
                      disabled={own || entering !== null}
                      onClick={() => void enter(tenant)}
                      className="flex w-full items-baseline justify-between gap-3 rounded px-3 py-2 text-left text-sm hover:bg-raised focus-visible:bg-raised disabled:cursor-default disabled:opacity-60"
                    >
                      <span className="truncate font-medium">{tenant.name}</span>
                      <span className="shrink-0 font-mono text-xs text-muted">
                        {own ? 'your tenant' : entering === tenant.id ? 'opening…' : tenant.slug}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          {listing.status === 'ready' && listing.more ? (
            <p className="mt-2 text-xs text-muted">More tenants match: narrow the search.</p>
          ) : null}
        </div>
      </Dialog>
    </>
  );
}

/** While a platform operator works in another tenant: which one, and the way back to its own. */
export function OperatorBanner({
  home,
  tenant,
}: {
  home: HomeSession;
  tenant: { slug: string; name: string };
}) {
  const { session } = useConsole();
  const [leaving, setLeaving] = useState(false);
  async function leave(): Promise<void> {
    setLeaving(true);
    await session.returnHome();
    window.location.assign('/alerts');
  }
  return (
    <div
      role="region"
      aria-label="Platform operator"
      data-testid="operator-banner"
      className="flex items-center justify-between gap-3 border-b border-sev-medium/40 bg-sev-medium/10 px-4 py-1.5 text-sm"
    >
      <p>
        Platform operator in <strong>{tenant.name}</strong>{' '}
        <span className="font-mono text-xs text-muted">({tenant.slug})</span>
      </p>
      <Button disabled={leaving} onClick={() => void leave()}>
        {leaving ? 'Returning…' : `Return to ${home.tenant}`}
      </Button>
    </div>
  );
}
