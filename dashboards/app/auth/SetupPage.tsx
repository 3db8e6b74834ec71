// The page a one-time link opens (the appliance's first-start link, an invitation): choose a password, then
// sign in. The token never leaves this page except to the API.
import { useState, type FormEvent } from 'react';
import { ApiError, describe, problemOf } from '../api/problem.js';
import { navigate } from '../shell/router.js';
import { Button, Field, INPUT } from '../ui/primitives.js';

export function SetupPage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ tenant: string; email: string } | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (password !== again) return setError('The two passwords differ.');
    setError(null);
    try {
      const response = await fetch('/api/auth/invite/accept', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, password }),
      });
      if (!response.ok) throw new ApiError(await problemOf(response));
      const body = (await response.json()) as { tenant: string; email: string };
      window.localStorage.setItem('inosec.tenant', body.tenant);
      setDone(body);
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
          Set your password
        </h1>
        {done ? (
          <>
            <p role="status" className="text-sm">
              Done: {done.email} can now sign in to <strong>{done.tenant}</strong>.
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
