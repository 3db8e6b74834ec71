// The pages the one-time links open: the appliance's first-start link and invitations (choose a password),
// password resets (choose a new one), and e-mail verification. The token never leaves the page except to
// the API.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, describe, problemOf } from '../api/problem.js';
import { navigate } from '../shell/router.js';
import { Button, Field, INPUT } from '../ui/primitives.js';

export type LinkPurpose = 'setup' | 'reset';

const ROUTE: Record<LinkPurpose, string> = {
  setup: '/api/auth/invite/accept',
  reset: '/api/auth/password/reset',
};

export function SetupPage({ token, purpose = 'setup' }: { token: string; purpose?: LinkPurpose }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ tenant: string; email: string } | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (password !== again) return setError('The two passwords differ.');
    setError(null);
    try {
      const response = await fetch(ROUTE[purpose], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, password }),
      });
      if (!response.ok) throw new ApiError(await problemOf(response));
      const body = (await response.json()) as { tenant?: string; email?: string };
      if (body.tenant) window.localStorage.setItem('inosec.tenant', body.tenant);
      setDone({ tenant: body.tenant ?? '', email: body.email ?? '' });
    } catch (failure) {
      setError(describe(failure));
    }
  }

  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <form
        onSubmit={(e) => void submit(e)}
        className="w-96 max-w-full space-y-4 rounded-lg border border-line bg-panel p-6"
        aria-labelledby="setup-title"
      >
        <h1 id="setup-title" className="text-xl font-semibold">
          {purpose === 'reset' ? 'Choose a new password' : 'Set your password'}
        </h1>
        {done ? (
          <>
            <p role="status" className="text-sm">
              {done.email ? (
                <>
                  Done: {done.email} can now sign in to <strong>{done.tenant}</strong>.
                </>
              ) : (
                'Done: the password is changed. Sign in with the new one.'
              )}
            </p>
            <Button
              variant="primary"
              className="w-full justify-center"
              onClick={() => navigate('/alerts', { replace: true })}
            >
              Go to sign-in
            </Button>
          </>
        ) : (
          <>
            <Field label="New password" hint="12 characters or more.">
              <input
                className={INPUT}
                type="password"
                autoComplete="new-password"
                minLength={12}
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
            <Field label="Repeat the password">
              <input
                className={INPUT}
                type="password"
                autoComplete="new-password"
                minLength={12}
                required
                value={again}
                onChange={(e) => setAgain(e.target.value)}
              />
            </Field>
            {error ? (
              <p role="alert" className="text-sm text-sev-critical">
                {error}
              </p>
            ) : null}
            <Button type="submit" variant="primary" className="w-full justify-center">
              Set password
            </Button>
          </>
        )}
      </form>
    </main>
  );
}

/** The link of a verification mail: confirms the address, then offers the sign-in. */
export function VerifyEmailPage({ token }: { token: string }) {
  const [state, setState] = useState<{ kind: 'working' | 'done' } | { kind: 'failed'; message: string }>({
    kind: 'working',
  });
  useEffect(() => {
    fetch('/api/auth/verify-email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
      .then(async (response) => {
        if (!response.ok) throw new ApiError(await problemOf(response));
        setState({ kind: 'done' });
      })
      .catch((failure: unknown) => setState({ kind: 'failed', message: describe(failure) }));
  }, [token]);
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <section
        aria-labelledby="verify-title"
        className="w-96 max-w-full space-y-4 rounded-lg border border-line bg-panel p-6"
      >
        <h1 id="verify-title" className="text-xl font-semibold">
          E-mail verification
        </h1>
        {state.kind === 'working' ? (
          <p role="status">Verifying…</p>
        ) : state.kind === 'done' ? (
          <p role="status">Your address is verified.</p>
        ) : (
          <p role="alert" className="text-sev-critical">
            {state.kind === 'failed' ? state.message : ''}
          </p>
        )}
        <Button
          variant="primary"
          className="w-full justify-center"
          onClick={() => navigate('/alerts', { replace: true })}
        >
          Go to sign-in
        </Button>
      </section>
    </main>
  );
}
