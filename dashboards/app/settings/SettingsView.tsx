// Settings: the caller's account (profile, password, TOTP), their sessions, and, with the permissions for it,
// the tenant's users and roles. Each section has its own path (/settings/account, /settings/sessions,
// /settings/users, /settings/roles) so a reload or a shared link lands on it; the users' filters live in the
// query string.
import { useCallback, type MouseEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { navigate, useRoute } from '../shell/router.js';
import { Empty } from '../ui/primitives.js';
import { AccountPage } from './AccountPage.js';
import { NotReady, useResource } from './common.js';
import { RolesPage } from './RolesPage.js';
import { SessionsPage } from './SessionsPage.js';
import type { Me } from './types.js';
import { UsersPage } from './UsersPage.js';

const SECTIONS = [
  { path: '/settings/account', label: 'Account' },
  { path: '/settings/sessions', label: 'Sessions' },
  { path: '/settings/users', label: 'Users' },
  { path: '/settings/roles', label: 'Roles' },
] as const;

function TabLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  function onClick(event: MouseEvent<HTMLAnchorElement>): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  }
  return (
    <a
      href={href}
      onClick={onClick}
      aria-current={current ? 'page' : undefined}
      className={`-mb-px block border-b-2 px-3 py-2 text-sm ${current ? 'border-accent text-fg' : 'border-transparent text-muted hover:text-fg'}`}
    >
      {children}
    </a>
  );
}

export function SettingsView() {
  const { api } = useConsole();
  const route = useRoute();
  const me = useResource(useCallback(() => must(api.GET('/api/auth/me')), [api]));
  const path = route.path.replace(/\/+$/, '');
  const section = path === '/settings' ? '/settings/account' : path;
  const known = SECTIONS.some((s) => s.path === section);

  return (
    <div className="flex h-full flex-col">
      <header className="border-b border-line bg-panel px-4 pt-3">
        <h1 className="text-lg font-semibold">Settings</h1>
        <nav aria-label="Settings sections" className="mt-2">
          <ul className="flex gap-1">
            {SECTIONS.map((s) => (
              <li key={s.path}>
                <TabLink href={s.path} current={s.path === section}>
                  {s.label}
                </TabLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <div className="min-h-0 flex-1 overflow-auto p-4">
        {!known ? (
          <Empty title="This settings page does not exist">
            <a className="text-accent underline" href="/settings/account">
              Go to your account settings
            </a>
          </Empty>
        ) : me.data === undefined ? (
          <NotReady resource={me} what="your account" />
        ) : (
          <Section section={section} me={me.data} reloadMe={me.reload} />
        )}
      </div>
    </div>
  );
}

function Section({ section, me, reloadMe }: { section: string; me: Me; reloadMe: () => void }) {
  switch (section) {
    case '/settings/sessions':
      return <SessionsPage />;
    case '/settings/users':
      return <UsersPage me={me} />;
    case '/settings/roles':
      return <RolesPage me={me} />;
    default:
      return <AccountPage me={me} reloadMe={reloadMe} />;
  }
}
