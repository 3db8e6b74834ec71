// Sign-in: tenant, e-mail and password, then the authenticator code when the account has TOTP (or one of its
// recovery codes when the authenticator is lost). After an
// expired session the same page says why, and signing in again returns to the view and filters the analyst
// was on (they live in the URL).
import { useState, type FormEvent } from 'react';
import { describe } from '../api/problem.js';
import { Button, Field, INPUT } from '../ui/primitives.js';
import type { Session } from './session.js';

const TENANT_KEY = 'inosec.tenant';

export function LoginPage({ session, notice }: { session: Session; notice?: string }) {
  const [tenant, setTenant] = useState(() => window.localStorage.getItem(TENANT_KEY) ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mfaToken === null) {
        window.localStorage.setItem(TENANT_KEY, tenant);
        const outcome = await session.login(tenant.trim(), email.trim(), password);
        if (outcome.kind === 'mfa') setMfaToken(outcome.mfaToken);
      } else {
        await session.completeTotp(
          mfaToken,
          useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() },
        );
      }
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <form
        onSubmit={(event) => void submit(event)}
        className="w-96 max-w-full space-y-4 rounded-lg border border-line bg-panel p-6"
        aria-labelledby="login-title"
      >
        <div>
          <h1 id="login-title" className="text-xl font-semibold">
            InoSec console
          </h1>
          <p className="text-sm text-muted">
            {mfaToken === null
              ? 'Sign in to your tenant.'
              : useRecovery
                ? 'Enter one of your recovery codes. Each works once.'
                : 'Enter the code from your authenticator app.'}
          </p>
        </div>
        {notice && mfaToken === null ? (
          <p role="status" className="rounded border border-sev-medium/50 bg-sev-medium/10 p-2 text-sm">
            {notice}
          </p>
        ) : null}
        {mfaToken === null ? (
          <>
            <Field label="Tenant">
              <input
                className={INPUT}
                name="tenant"
                autoComplete="organization"
                required
                value={tenant}
                onChange={(e) => setTenant(e.target.value)}
              />
            </Field>
            <Field label="E-mail">
              <input
                className={INPUT}
                name="email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </Field>
            <Field label="Password">
              <input
                className={INPUT}
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
          </>
        ) : useRecovery ? (
          <Field label="Recovery code" hint="ten letters and digits, as xxxxx-xxxxx">
            <input
              className={`${INPUT} font-mono tracking-wider`}
              name="recovery-code"
              autoComplete="off"
              spellCheck={false}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
        ) : (
          <Field label="Authentication code">
            <input
              className={`${INPUT} font-mono tracking-widest`}
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\s*\d{3}\s?\d{3}\s*"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
        )}
        {mfaToken !== null ? (
          <button
            type="button"
            className="text-sm text-accent underline"
            onClick={() => {
              setUseRecovery(!useRecovery);
              setCode('');
              setError(null);
            }}
          >
            {useRecovery
              ? 'Use the authenticator app instead'
              : 'Lost your authenticator? Use a recovery code'}
          </button>
        ) : null}
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <Button type="submit" variant="primary" disabled={busy} className="w-full justify-center">
          {busy ? 'Signing in…' : mfaToken ? 'Verify' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
