// The caller's live sessions, newest first, the current one marked: end any other one, sign this one out, or
// sign out everywhere (every session of the account ends, this one included, and the console asks for a
// new sign-in).
import { useCallback, useState } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Empty } from '../ui/primitives.js';
import {
  ConfirmDialog,
  failureMessage,
  MoreButton,
  NotReady,
  OutcomeNotice,
  Section,
  TimeCell,
  usePaged,
  type Outcome,
} from './common.js';
import type { MySession } from './types.js';

/** A short "browser on system" for a user agent string (the full string is in the title). */
export function deviceOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chromium'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /electron/i.test(userAgent)
            ? 'Desktop console'
            : /^curl\//.test(userAgent)
              ? 'curl'
              : /node|undici/i.test(userAgent)
                ? 'API client (Node.js)'
                : userAgent.split(/[\s/]/)[0] || 'Unknown client';
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X|Macintosh/.test(userAgent)
      ? 'macOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /iPhone|iPad/.test(userAgent)
          ? 'iOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  return system ? `${browser} on ${system}` : browser;
}

export function SessionsPage() {
  const { api, session } = useConsole();
  const fetchPage = useCallback(
    (cursor: string | undefined) =>
      must(
        api.GET('/api/auth/sessions', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
      ),
    [api],
  );
  const sessions = usePaged<MySession>(fetchPage);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  async function revoke(item: MySession): Promise<void> {
    setBusy(item.id);
    setOutcome(null);
    try {
      await must(api.DELETE('/api/auth/sessions/{id}', { params: { path: { id: item.id } } }));
      setOutcome({ ok: true, message: `The session of ${deviceOf(item.userAgent)} has ended.` });
      sessions.reload();
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    } finally {
      setBusy(null);
    }
  }

  async function signOutEverywhere(): Promise<void> {
    try {
      await must(api.POST('/api/auth/logout-all'));
      setConfirming(false);
      session.expire('You signed out everywhere: every session of your account has ended.');
    } catch (failure) {
      setConfirming(false);
      setOutcome({ ok: false, message: failureMessage(failure) });
    }
  }

  const items = sessions.data;
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <Section
        id="sessions-title"
        title="Your sessions"
        description="Every browser, desktop console or API client signed in to your account."
        actions={
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Sign out everywhere…
          </Button>
        }
      >
        <OutcomeNotice outcome={outcome} className="mb-3" />
        {sessions.error !== undefined || items === undefined ? (
          <NotReady resource={sessions} what="your sessions" />
        ) : items.length === 0 ? (
          <Empty title="No live sessions">Every session of your account has ended.</Empty>
        ) : (
          <div className="overflow-x-auto" tabIndex={0} aria-label="Your sessions (scrollable)">
            <table className="w-full text-left text-sm">
              <thead className="text-muted">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Device
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    IP address
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Signed in
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Last active
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Expires
                  </th>
                  <th scope="col" className="py-1 pr-3 font-normal">
                    Second factor
                  </th>
                  <th scope="col" className="py-1 font-normal">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr
                    key={item.id}
                    data-testid="session-row"
                    data-session-id={item.id}
                    className={`border-t border-line/60 align-top ${item.current ? 'bg-raised/60' : ''}`}
                  >
                    <td className="py-2 pr-3">
                      <span title={item.userAgent ?? undefined}>{deviceOf(item.userAgent)}</span>
                      {item.current ? (
                        <span className="ml-2 inline-block rounded border border-accent/50 px-1.5 text-xs whitespace-nowrap text-accent">
                          This session
                        </span>
                      ) : null}
                    </td>
                    <td className="py-2 pr-3 font-mono text-xs">{item.ip ?? '—'}</td>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      <TimeCell iso={item.createdAt} />
                    </td>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      <TimeCell iso={item.lastUsedAt} />
                    </td>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      <TimeCell iso={item.expiresAt} />
                    </td>
                    <td className="py-2 pr-3">{item.mfa ? 'Yes' : 'No'}</td>
                    <td className="py-2 text-right whitespace-nowrap">
                      {item.current ? (
                        <Button variant="ghost" onClick={() => void session.logout()}>
                          Sign out
                        </Button>
                      ) : (
                        <Button disabled={busy === item.id} onClick={() => void revoke(item)}>
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton list={sessions} what="sessions" />
      </Section>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Sign out everywhere"
        description="Every session of your account ends, this one included: every browser, desktop console and API client must sign in again."
        confirm="Sign out everywhere"
        onConfirm={signOutEverywhere}
      />
    </div>
  );
}
