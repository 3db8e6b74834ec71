// The caller's account: who they are in which tenant, what they may do, a password change, and the TOTP
// second factor.
import { useState, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Field, INPUT } from '../ui/primitives.js';
import { failureMessage, formatTime, OutcomeNotice, Section, type Outcome } from './common.js';
import { TotpSection } from './TotpSection.js';
import type { Me } from './types.js';

export function AccountPage({ me, reloadMe }: { me: Me; reloadMe: () => void }) {
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <Section id="profile-title" title="Profile">
        <dl className="grid grid-cols-1 gap-x-8 gap-y-3 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-muted">Display name</dt>
            <dd data-testid="display-name">{me.user.displayName || '—'}</dd>
          </div>
          <div>
            <dt className="text-muted">E-mail</dt>
            <dd data-testid="email">
              {me.user.email}{' '}
              <span className="text-xs text-muted">
                ({me.user.emailVerified ? 'verified' : 'not verified'})
              </span>
            </dd>
          </div>
          <div>
            <dt className="text-muted">Tenant</dt>
            <dd>
              {me.tenant.name} <span className="font-mono text-xs text-muted">({me.tenant.slug})</span>
              {me.superAdmin ? (
                <span className="ml-2 rounded border border-accent/50 px-1.5 text-xs text-accent">
                  super admin
                </span>
              ) : null}
              {me.platformOperator ? (
                <span className="ml-2 rounded border border-sev-medium/50 px-1.5 text-xs text-sev-medium">
                  platform operator
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-muted">Last sign-in</dt>
            <dd>{formatTime(me.user.lastLoginAt)}</dd>
          </div>
          <div className="sm:col-span-2">
            <dt className="text-muted">Your permissions</dt>
            <dd>
              {me.permissions.length === 0 ? (
                <span className="text-muted">none: ask a tenant administrator for a role</span>
              ) : (
                <ul className="mt-1 flex flex-wrap gap-1.5" aria-label="Your permissions">
                  {me.permissions.map((permission) => (
                    <li key={permission} className="rounded bg-raised px-1.5 font-mono text-xs">
                      {permission}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        </dl>
      </Section>
      {me.platformOperator ? (
        <Section id="credentials" title="Password and second factor">
          <p className="text-sm text-muted">
            You work in this tenant as a platform operator: your password and your second factor are those of
            your own tenant, and you change them there.
          </p>
        </Section>
      ) : (
        <>
          <PasswordSection email={me.user.email} />
          <TotpSection me={me} onChange={reloadMe} />
        </>
      )}
    </div>
  );
}

function PasswordSection({ email }: { email: string }) {
  const { api } = useConsole();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (next.length < 12 || next.length > 256) {
      setOutcome({ ok: false, message: 'The new password needs 12 to 256 characters.' });
      return;
    }
    if (next.trim().toLowerCase() === email.toLowerCase()) {
      setOutcome({ ok: false, message: 'The new password cannot be your e-mail address.' });
      return;
    }
    if (next !== repeat) {
      setOutcome({ ok: false, message: 'The two new passwords differ.' });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      await must(
        api.POST('/api/auth/password/change', { body: { currentPassword: current, newPassword: next } }),
      );
      setCurrent('');
      setNext('');
      setRepeat('');
      setOutcome({ ok: true, message: 'Password changed. Your other sessions were signed out.' });
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section
      id="password-title"
      title="Password"
      description="12 to 256 characters, not your e-mail address. Changing it signs out your other sessions."
    >
      <form className="grid max-w-md gap-3" onSubmit={(event) => void submit(event)}>
        <Field label="Current password">
          <input
            className={INPUT}
            type="password"
            name="current-password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </Field>
        <Field label="New password">
          <input
            className={INPUT}
            type="password"
            name="new-password"
            autoComplete="new-password"
            required
            minLength={12}
            maxLength={256}
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </Field>
        <Field label="Repeat the new password">
          <input
            className={INPUT}
            type="password"
            name="repeat-password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </Field>
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </Button>
          <OutcomeNotice outcome={outcome} />
        </div>
      </form>
    </Section>
  );
}
