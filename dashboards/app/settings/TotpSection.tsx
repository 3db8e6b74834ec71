// The TOTP second factor: enrol (a new secret for the authenticator app, typed in by hand or opened as an
// otpauth:// link), activate with a first code, disable with the password and a current code. The secret is
// shown once, during enrolment, and never again; so are the ten recovery codes, given at activation and on
// request (password and a current code), each standing in once for a lost authenticator.
import { useState, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { Button, Field, INPUT } from '../ui/primitives.js';
import { failureMessage, OutcomeNotice, Section, type Outcome } from './common.js';
import type { Me, TotpEnrolment } from './types.js';

const CODE_PATTERN = '\\s*\\d{3}\\s?\\d{3}\\s*';

export function TotpSection({ me, onChange }: { me: Me; onChange: () => void }) {
  const { api } = useConsole();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function run(action: () => Promise<unknown>, done: string, after?: () => void): Promise<void> {
    setBusy(true);
    setOutcome(null);
    try {
      await action();
      after?.();
      setOutcome({ ok: true, message: done });
    } catch (failure) {
      setOutcome({ ok: false, message: failureMessage(failure) });
    } finally {
      setBusy(false);
    }
  }

  function enrol(): void {
    void run(
      async () => setEnrolment(await must(api.POST('/api/auth/totp/enroll'))),
      'Add the key to your authenticator app, then enter the code it shows.',
      () => setCode(''),
    );
  }

  function activate(event: FormEvent): void {
    event.preventDefault();
    void run(
      async () => {
        const activated = await must(api.POST('/api/auth/totp/activate', { body: { code: code.trim() } }));
        setRecoveryCodes(activated.recoveryCodes);
      },
      'Two-factor sign-in is on: every sign-in now asks for a code from your authenticator app.',
      () => {
        setEnrolment(null);
        setCode('');
        onChange();
      },
    );
  }

  function renewRecoveryCodes(): void {
    void run(
      async () => {
        const renewed = await must(
          api.POST('/api/auth/totp/recovery-codes', { body: { password, code: code.trim() } }),
        );
        setRecoveryCodes(renewed.recoveryCodes);
      },
      'New recovery codes: the previous ones no longer work.',
      () => {
        setPassword('');
        setCode('');
        onChange();
      },
    );
  }

  function disable(event: FormEvent): void {
    event.preventDefault();
    void run(
      () => must(api.POST('/api/auth/totp/disable', { body: { password, code: code.trim() } })),
      'Two-factor sign-in is off.',
      () => {
        setPassword('');
        setCode('');
        onChange();
      },
    );
  }

  const enabled = me.user.totpEnabled;
  return (
    <Section
      id="totp-title"
      title="Two-factor sign-in (TOTP)"
      description={
        <span data-testid="totp-state">
          {enabled
            ? `On${me.mfa.session ? ': this session passed the second factor.' : ': this session was opened before it was turned on.'}`
            : 'Off: a password alone signs you in.'}
        </span>
      }
    >
      {recoveryCodes !== null ? (
        <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
      ) : null}
      {enabled ? (
        <form className="grid max-w-md gap-3" onSubmit={disable} aria-label="Turn two-factor sign-in off">
          <p className="text-sm" data-testid="recovery-left">
            {me.mfa.recoveryCodesLeft === 1
              ? '1 recovery code left.'
              : `${me.mfa.recoveryCodesLeft} recovery codes left.`}{' '}
            <span className="text-muted">
              {me.mfa.recoveryCodesLeft <= 3 ? 'Get a new set before you run out. ' : ''}
            </span>
          </p>
          <p className="text-sm text-muted">
            For new recovery codes or to turn it off, confirm with your password and a current code.
          </p>
          <Field label="Password">
            <input
              className={INPUT}
              type="password"
              name="totp-password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <CodeField code={code} setCode={setCode} />
          <div className="flex flex-wrap items-center gap-3">
            <Button
              disabled={busy}
              onClick={(event) => {
                const form = event.currentTarget.form;
                if (form?.reportValidity() ?? true) renewRecoveryCodes();
              }}
            >
              New recovery codes
            </Button>
            <Button type="submit" variant="danger" disabled={busy}>
              Turn off two-factor sign-in
            </Button>
          </div>
        </form>
      ) : enrolment === null ? (
        <Button variant="primary" disabled={busy} onClick={enrol}>
          Set up two-factor sign-in
        </Button>
      ) : (
        <div className="space-y-4">
          <ol className="list-decimal space-y-3 pl-5 text-sm">
            <li>
              <p>
                In your authenticator app, add an account by entering this key by hand (time-based, 6 digits,
                30 seconds):
              </p>
              <div className="mt-1 flex flex-wrap items-center gap-2">
                <code
                  data-testid="totp-secret"
                  className="rounded border border-line bg-surface px-2 py-1 font-mono text-sm tracking-wider break-all"
                >
                  {enrolment.secret}
                </code>
                <CopyButton text={enrolment.secret} label="Copy key" />
              </div>
            </li>
            <li>
              <p>
                Or use the setup link (an app on this device opens it; a QR code generator can turn it into a
                code to scan):
              </p>
              <div className="mt-1 flex flex-wrap items-center gap-2">
                <code
                  data-testid="totp-uri"
                  className="max-w-full rounded border border-line bg-surface px-2 py-1 font-mono text-xs break-all"
                >
                  {enrolment.otpauthUri}
                </code>
                <CopyButton text={enrolment.otpauthUri} label="Copy link" />
                <a className="text-sm text-accent underline" href={enrolment.otpauthUri}>
                  Open in an authenticator app
                </a>
              </div>
            </li>
            <li>
              <form
                className="grid max-w-md gap-3"
                onSubmit={activate}
                aria-label="Activate two-factor sign-in"
              >
                <p>Enter the code the app shows now:</p>
                <CodeField code={code} setCode={setCode} />
                <div className="flex gap-2">
                  <Button type="submit" variant="primary" disabled={busy}>
                    Activate
                  </Button>
                  <Button
                    onClick={() => {
                      setEnrolment(null);
                      setOutcome(null);
                    }}
                  >
                    Cancel
                  </Button>
                </div>
              </form>
            </li>
          </ol>
        </div>
      )}
      <OutcomeNotice outcome={outcome} className="mt-3" />
    </Section>
  );
}

/** The recovery codes, shown once: to copy or download before they are gone. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = `InoSec recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const [href] = useState(() => URL.createObjectURL(new Blob([text], { type: 'text/plain' })));
  return (
    <div
      role="region"
      aria-labelledby="recovery-codes-title"
      className="mb-4 rounded border border-sev-medium/50 bg-sev-medium/10 p-4"
    >
      <h3 id="recovery-codes-title" className="font-semibold">
        Save your recovery codes
      </h3>
      <p className="mt-1 text-sm text-muted">
        If you lose your authenticator, each of these signs you in once. They are shown only now: keep them
        somewhere safe, away from this device.
      </p>
      <ul data-testid="recovery-codes" className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <CopyButton text={codes.join('\n')} label="Copy codes" />
        <a className="text-sm text-accent underline" href={href} download="inosec-recovery-codes.txt">
          Download
        </a>
        <Button
          variant="primary"
          onClick={() => {
            URL.revokeObjectURL(href);
            onDone();
          }}
        >
          I have saved them
        </Button>
      </div>
    </div>
  );
}

function CodeField({ code, setCode }: { code: string; setCode: (code: string) => void }) {
  return (
    <Field label="Authentication code" hint="six digits from the authenticator app">
      <input
        className={`${INPUT} font-mono tracking-widest`}
        name="totp-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern={CODE_PATTERN}
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
    </Field>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <Button
      variant="ghost"
      onClick={() => {
        // Promise.resolve: outside a secure context navigator.clipboard is missing and would throw here.
        Promise.resolve()
          .then(() => navigator.clipboard.writeText(text))
          .then(
            () => setState('copied'),
            () => setState('failed'),
          );
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text' : label}
    </Button>
  );
}
