// The frame around every view: navigation, the signed-in user, sign-out. Links are real links (the router
// intercepts same-origin clicks), so middle-click opens a view in a new tab. Platform operators get the tenant
// switcher, and a banner while they work in another tenant.
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button } from '../ui/primitives.js';
import { navigate, useRoute } from './router.js';
import { OperatorBanner, TenantSwitcher } from './TenantSwitcher.js';

// Each view with the permission its data needs: the navigation offers only what the user may open (a URL
// typed by hand still answers with a clear "permission denied" state).
interface NavItem {
  href: string;
  label: string;
  permission?: string;
}
const NAV: readonly NavItem[] = [
  { href: '/alerts', label: 'Alerts', permission: 'alerts:read' },
  { href: '/incidents', label: 'Incidents', permission: 'incidents:read' },
  { href: '/hunt', label: 'Hunt', permission: 'telemetry:read' },
  { href: '/assets', label: 'Assets', permission: 'telemetry:read' },
  { href: '/network', label: 'Network map', permission: 'telemetry:read' },
  { href: '/geo', label: 'Geo', permission: 'telemetry:read' },
  { href: '/fleet', label: 'Fleet', permission: 'fleet:read' },
  { href: '/rules', label: 'Rules', permission: 'rules:read' },
  { href: '/settings', label: 'Settings' },
];
/** Offered to platform operators (super admins) in their own tenant only. */
const PLATFORM: NavItem = { href: '/platform', label: 'Platform' };

export function Link({
  href,
  children,
  className,
}: {
  href: string;
  children: ReactNode;
  className?: string;
}) {
  function onClick(event: MouseEvent<HTMLAnchorElement>): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  }
  return (
    <a href={href} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { api, session } = useConsole();
  const route = useRoute();
  const [me, setMe] = useState<{
    email: string;
    tenant: { id: string; slug: string; name: string };
    superAdmin: boolean;
    permissions: ReadonlySet<string>;
  } | null>(null);
  useEffect(() => {
    must(api.GET('/api/auth/me'))
      .then((body) =>
        setMe({
          email: body.user.email,
          tenant: body.tenant,
          superAdmin: body.superAdmin,
          permissions: new Set(body.permissions),
        }),
      )
      .catch(() => setMe(null));
  }, [api]);
  const home = session.home();
  const allowed = (item: NavItem): boolean =>
    me === null || item.permission === undefined || me.permissions.has(item.permission);
  // The start page is the alert queue; a user who may not read alerts (a fleet operator) starts at the
  // first view they may open instead.
  useEffect(() => {
    if (me === null || route.path !== '/' || me.permissions.has('alerts:read')) return;
    const first = NAV.find((item) => item.permission !== undefined && me.permissions.has(item.permission));
    navigate(first?.href ?? '/settings', { replace: true });
  }, [me, route.path]);
  return (
    <div className="flex h-full">
      <nav aria-label="Main" className="flex w-48 shrink-0 flex-col border-r border-line bg-panel">
        <div className="px-4 py-3 text-lg font-semibold tracking-tight">InoSec</div>
        <ul className="flex-1 space-y-0.5 px-2">
          {[...NAV, ...(me?.superAdmin && home === null ? [PLATFORM] : [])].filter(allowed).map((item) => {
            const current =
              route.path === item.href ||
              route.path.startsWith(`${item.href}/`) ||
              (route.path === '/' && item.href === '/alerts');
            return (
              <li key={item.href}>
                <Link
                  href={item.href}
                  className={`block rounded px-3 py-1.5 text-sm ${current ? 'bg-raised text-fg' : 'text-muted hover:bg-raised hover:text-fg'}`}
                >
                  <span aria-current={current ? 'page' : undefined}>{item.label}</span>
                </Link>
              </li>
            );
          })}
        </ul>
        <div className="border-t border-line p-3 text-xs text-muted">
          {me ? (
            <p className="truncate" title={`${me.email} · ${me.tenant.slug}`}>
              {me.email}
              <br />
              <span data-testid="tenant-slug">{me.tenant.slug}</span>
            </p>
          ) : null}
          {me?.superAdmin && home === null ? <TenantSwitcher ownTenant={me.tenant} /> : null}
          <Button
            variant="ghost"
            className="mt-2 w-full justify-center"
            onClick={() => void session.logout()}
          >
            Sign out
          </Button>
        </div>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        {home !== null && me !== null ? <OperatorBanner home={home} tenant={me.tenant} /> : null}
        <main className="min-h-0 min-w-0 flex-1 overflow-hidden">{children}</main>
      </div>
    </div>
  );
}
