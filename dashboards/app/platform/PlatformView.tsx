// The platform operator's view (super admins): every tenant with its status, creating one (its builtin roles
// and an invited first administrator), suspending or archiving one with a reason (its data stays; its users
// and agents are refused) and activating it again, and entering one (the tenant switcher). Other users never
// see it: the navigation offers it to super admins only and every route behind it answers them alone.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useConsole } from '../App.js';
import { must } from '../api/client.js';
import { describe } from '../api/problem.js';
import type { paths } from '../api/schema.js';
import { Button, Dialog, Empty, ErrorState, Field, INPUT, Loading } from '../ui/primitives.js';

type TenantPage = paths['/api/platform/tenants']['get']['responses'][200]['content']['application/json'];
type Tenant = TenantPage['items'][number];
type Status = Tenant['status'];

const PAGE = 100;
const TH = 'sticky top-0 z-10 border-b border-line bg-panel px-3 py-2 text-xs font-medium text-muted';
const TD = 'border-b border-line/60 px-3 py-2 align-top';

const STATUS_CLASS: Record<Status, string> = {
  active: 'border-sev-low/50 text-sev-low',
  suspended: 'border-sev-high/50 text-sev-high',
  archived: 'border-line text-muted',
};

export function PlatformView() {
  const { api, session } = useConsole();
  const [own, setOwn] = useState<{ id: string; slug: string } | null>(null);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [page, setPage] = useState<TenantPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [changing, setChanging] = useState<{ tenant: Tenant; to: Status } | null>(null);
  const generation = useRef(0);

  const load = useCallback(() => {
    const mine = ++generation.current;
    setError(null);
    const q = query.trim();
    must(
      api.GET('/api/platform/tenants', {
        params: { query: { limit: PAGE, ...(q === '' ? {} : { q }), ...(status === '' ? {} : { status }) } },
      }),
    )
      .then((next) => mine === generation.current && setPage(next))
      .catch((failure: unknown) => mine === generation.current && setError(describe(failure)));
  }, [api, query, status]);

  useEffect(() => {
    const timer = setTimeout(load, 150);
    return () => clearTimeout(timer);
  }, [load]);
  useEffect(() => {
    must(api.GET('/api/auth/me'))
      .then((me) => setOwn({ id: me.tenant.id, slug: me.tenant.slug }))
      .catch(() => undefined);
  }, [api]);

  async function enter(tenant: Tenant, ownSlug: string): Promise<void> {
    try {
      await session.enterTenant(tenant.id, ownSlug);
      window.location.assign('/alerts');
    } catch (failure) {
      setNotice(describe(failure));
    }
  }

  return (
    <div className="flex h-full flex-col">
      <header className="border-b border-line px-4 py-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">Platform</h1>
          <p className="text-sm text-muted">
            Tenants of this platform. Only platform operators see this page.
          </p>
          <Button variant="primary" className="ml-auto" onClick={() => setCreating(true)}>
            Create tenant
          </Button>
        </div>
        <div className="mt-3 flex flex-wrap gap-3">
          <label className="w-72 text-sm">
            <span className="sr-only">Find a tenant</span>
            <input
              type="search"
              className={INPUT}
              placeholder="Find by name or sign-in name"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </label>
          <label className="text-sm">
            <span className="sr-only">Status</span>
            <select
              className={INPUT}
              value={status}
              onChange={(e) => setStatus(e.target.value as Status | '')}
            >
              <option value="">Every status</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
              <option value="archived">Archived</option>
            </select>
          </label>
        </div>
      </header>
      {notice ? (
        <p role="status" className="border-b border-line px-4 py-2 text-sm" data-testid="platform-notice">
          {notice}
        </p>
      ) : null}
      <div className="min-h-0 flex-1 overflow-auto" tabIndex={0} aria-label="Tenants">
        {error ? <ErrorState message={error} onRetry={load} /> : null}
        {!error && page === null ? <Loading what="tenants" /> : null}
        {!error && page !== null && page.items.length === 0 ? (
          <Empty title="No tenant matches">Change the search or the status.</Empty>
        ) : null}
        {!error && page !== null && page.items.length > 0 ? (
          <table className="w-full border-collapse text-left text-sm">
            <thead>
              <tr>
                <th scope="col" className={TH}>
                  Tenant
                </th>
                <th scope="col" className={TH}>
                  Status
                </th>
                <th scope="col" className={TH}>
                  Created
                </th>
                <th scope="col" className={TH}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((tenant) => {
                const mine = tenant.id === own?.id;
                return (
                  <tr key={tenant.id} data-testid="tenant-row" data-tenant-slug={tenant.slug}>
                    <td className={TD}>
                      <div className="font-medium">{tenant.name}</div>
                      <div className="font-mono text-xs text-muted">{tenant.slug}</div>
                    </td>
                    <td className={TD}>
                      <span
                        className={`rounded border px-1.5 text-xs ${STATUS_CLASS[tenant.status]}`}
                        data-testid="tenant-status"
                      >
                        {tenant.status}
                      </span>
                      {tenant.statusReason ? (
                        <div className="mt-1 max-w-xs text-xs text-muted">{tenant.statusReason}</div>
                      ) : null}
                    </td>
                    <td className={`${TD} whitespace-nowrap text-muted`}>
                      {new Date(tenant.createdAt).toLocaleDateString()}
                    </td>
                    <td className={`${TD} text-right whitespace-nowrap`}>
                      {mine ? (
                        <span className="text-xs text-muted">your tenant</span>
                      ) : (
                        <span className="inline-flex gap-2">
                          {tenant.status === 'active' ? (
                            <>
                              <Button onClick={() => void enter(tenant, own?.slug ?? '')}>Enter</Button>
                              <Button
                                variant="ghost"
                                onClick={() => setChanging({ tenant, to: 'suspended' })}
                              >
                                Suspend…
                              </Button>
                            </>
                          ) : (
                            <Button onClick={() => setChanging({ tenant, to: 'active' })}>Activate…</Button>
                          )}
                          {tenant.status !== 'archived' ? (
                            <Button variant="ghost" onClick={() => setChanging({ tenant, to: 'archived' })}>
                              Archive…
                            </Button>
                          ) : null}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        {page?.nextCursor ? (
          <p className="px-4 py-2 text-xs text-muted">More tenants match: narrow the search.</p>
        ) : null}
      </div>
      <CreateTenantDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(message) => {
          setCreating(false);
          setNotice(message);
          load();
        }}
      />
      {changing ? (
        <StatusDialog
          tenant={changing.tenant}
          to={changing.to}
          onClose={() => setChanging(null)}
          onChanged={(message) => {
            setChanging(null);
            setNotice(message);
            load();
          }}
        />
      ) : null}
    </div>
  );
}

function CreateTenantDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (message: string) => void;
}) {
  const { api } = useConsole();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await must(
        api.POST('/api/platform/tenants', {
          body: { slug: slug.trim(), name: name.trim(), adminEmail: adminEmail.trim() },
        }),
      );
      setSlug('');
      setName('');
      setAdminEmail('');
      onCreated(
        created.invitationSent
          ? `Tenant ${created.tenant.slug} created; the invitation went to ${created.admin.email}.`
          : `Tenant ${created.tenant.slug} created, but the invitation to ${created.admin.email} was not sent: check the mail settings, then resend it from the tenant's users.`,
      );
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => !next && onClose()}
      title="Create tenant"
      description="The tenant gets the builtin roles and an invited administrator, who receives a one-time link."
    >
      <form className="space-y-3" onSubmit={(event) => void submit(event)}>
        <Field label="Sign-in name" hint="lowercase letters, digits and -; what its users type to sign in">
          <input
            className={INPUT}
            required
            pattern="[a-z0-9][a-z0-9\-]{1,62}"
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
          />
        </Field>
        <Field label="Name">
          <input
            className={INPUT}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label="Administrator's e-mail">
          <input
            className={INPUT}
            type="email"
            required
            value={adminEmail}
            onChange={(e) => setAdminEmail(e.target.value)}
          />
        </Field>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create tenant'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

const VERB: Record<Status, string> = { active: 'Activate', suspended: 'Suspend', archived: 'Archive' };

function StatusDialog({
  tenant,
  to,
  onClose,
  onChanged,
}: {
  tenant: Tenant;
  to: Status;
  onClose: () => void;
  onChanged: (message: string) => void;
}) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const trimmed = reason.trim();
      await must(
        api.PATCH('/api/platform/tenants/{id}', {
          params: { path: { id: tenant.id } },
          body: { status: to, ...(trimmed === '' ? {} : { reason: trimmed }) },
        }),
      );
      onChanged(`Tenant ${tenant.slug} is ${to}.`);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onOpenChange={(next) => !next && onClose()}
      title={`${VERB[to]} ${tenant.name}`}
      description={
        to === 'active'
          ? 'Its users may sign in and its agents send telemetry again.'
          : 'Its data stays. Its users are signed out and refused, and its agents are refused, until it is activated again.'
      }
    >
      <form className="space-y-3" onSubmit={(event) => void submit(event)}>
        <Field label={to === 'active' ? 'Reason (optional)' : 'Reason'}>
          <input
            className={INPUT}
            required={to !== 'active'}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        {error ? (
          <p role="alert" className="text-sm text-sev-critical">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant={to === 'active' ? 'primary' : 'danger'} disabled={busy}>
            {VERB[to]}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
