// The console: the session decides between sign-in and the shell; the shell's path picks the view.
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { AlertDetailView } from './alerts/AlertDetail.js';
import { AlertQueue } from './alerts/AlertQueue.js';
import { AssetsView } from './assets/AssetsView.js';
import { FleetView } from './fleet/FleetView.js';
import { GeoView } from './network/GeoView.js';
import { HuntView } from './hunt/HuntView.js';
import { NetworkMapView } from './network/NetworkMapView.js';
import { PlatformView } from './platform/PlatformView.js';
import { IncidentsView } from './incidents/IncidentsView.js';
import { RulesView } from './rules/RulesView.js';
import { SettingsView } from './settings/SettingsView.js';
import { createApi, type Api } from './api/client.js';
import { LoginPage } from './auth/LoginPage.js';
import { SetupPage, VerifyEmailPage } from './auth/SetupPage.js';
import { Session } from './auth/session.js';
import { Shell } from './shell/Shell.js';
import { useRoute } from './shell/router.js';
import { Empty, Loading } from './ui/primitives.js';

interface ConsoleContext {
  session: Session;
  api: Api;
}

const Context = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Context);
  if (value === null) throw new Error('useConsole outside the console');
  return value;
}

export function App() {
  const session = useMemo(() => new Session(), []);
  const api = useMemo(() => createApi(session), [session]);
  const route = useRoute();
  const state = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.state,
  );
  useEffect(() => {
    void session.restore();
  }, [session]);

  // The pages of one-time links (first start, invitations, password resets, e-mail verification).
  const linkToken = route.query.get('token');
  if (linkToken && (route.path === '/setup' || route.path === '/accept-invite'))
    return <SetupPage token={linkToken} />;
  if (linkToken && route.path === '/reset-password') return <SetupPage token={linkToken} purpose="reset" />;
  if (linkToken && route.path === '/verify-email') return <VerifyEmailPage token={linkToken} />;
  if (state.status === 'restoring') return <Loading what="your session" />;
  if (state.status !== 'active') {
    return <LoginPage session={session} {...(state.status === 'expired' ? { notice: state.reason } : {})} />;
  }
  return (
    <Context.Provider value={{ session, api }}>
      <Shell>
        <Views />
      </Shell>
    </Context.Provider>
  );
}

function Views() {
  const route = useRoute();
  const detail = /^\/alerts\/([0-9a-f-]{36})$/.exec(route.path);
  if (detail?.[1]) return <AlertDetailView id={detail[1]} />;
  if (route.path === '/' || route.path === '/alerts') return <AlertQueue />;
  // Each of these views routes its own sub-paths (/incidents/<id>, /settings/sessions, ...).
  if (route.path === '/incidents' || route.path.startsWith('/incidents/')) return <IncidentsView />;
  if (route.path === '/hunt' || route.path.startsWith('/hunt/')) return <HuntView />;
  if (route.path === '/assets' || route.path.startsWith('/assets/')) return <AssetsView />;
  if (route.path === '/network') return <NetworkMapView />;
  if (route.path === '/geo') return <GeoView />;
  if (route.path === '/fleet' || route.path.startsWith('/fleet/')) return <FleetView />;
  if (route.path === '/rules' || route.path.startsWith('/rules/')) return <RulesView />;
  if (route.path === '/settings' || route.path.startsWith('/settings/')) return <SettingsView />;
  if (route.path === '/platform') return <PlatformView />;
  return (
    <Empty title="This view does not exist">
      <a className="text-accent underline" href="/alerts">
        Go to the alert queue
      </a>
    </Empty>
  );
}
