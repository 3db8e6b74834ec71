// The analyst's session: the short-lived access token in memory, the refresh token in this tab's
// sessionStorage (a reload keeps the session, closing the tab ends it; never localStorage, so it is not
// shared across tabs or kept on disk), one refresh at a time, and a clear "expired" state instead of a
// silent failure. A platform operator working in another tenant (the tenant switcher) keeps its own session's
// refresh token aside in this tab and goes back to it when it returns.
//
// Tabs opened from a tab (window.open, a duplicated tab) start with a copy of its sessionStorage, so two tabs
// can hold the same refresh token, and the server ends a session whose refresh token is used twice. Tabs of
// one session therefore share it: a starting tab asks the others for the current tokens before refreshing,
// refreshes run one at a time across tabs (Web Locks), and each refresh is announced to the others
// (BroadcastChannel), which take the new tokens instead of using their old refresh token.
import { ApiError, problemOf } from '../api/problem.js';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-out' }
  | { status: 'active'; accessToken: string }
  | { status: 'expired'; reason: string };

export type LoginOutcome = { kind: 'signed-in' } | { kind: 'mfa'; mfaToken: string };

const REFRESH_KEY = 'inosec.refresh';
const HOME_KEY = 'inosec.home';
/** A random id of the sign-in this tab's tokens belong to (copied along with them into tabs opened from it). */
const FAMILY_KEY = 'inosec.family';
const CHANNEL = 'inosec.session';
/** How long a starting tab waits for another tab of its session to answer (same browser: a few ms). */
const PEER_WAIT_MS = 100;
/** How long a refresh keeps the cross-tab lock after announcing new tokens, so every tab has them first. */
const ANNOUNCE_MS = 50;

type PeerMessage =
  | { type: 'hello'; family: string }
  | { type: 'tokens'; family: string; refreshToken: string; accessToken: string | null };

/** The operator's own session while it works in another tenant. */
export interface HomeSession {
  /** The operator's own tenant (its slug), to name the way back. */
  tenant: string;
}

interface StoredHome extends HomeSession {
  refreshToken: string;
}

/** The tenant a platform operator entered. */
export interface EnteredTenant {
  id: string;
  slug: string;
  name: string;
}

export class Session {
  private current: SessionState = { status: 'restoring' };
  private refreshToken: string | null = null;
  private refreshing: Promise<boolean> | undefined;
  private family: string | null = null;
  private peerAnswer: ((tokens: { refreshToken: string; accessToken: string | null }) => void) | undefined;
  private readonly listeners = new Set<(state: SessionState) => void>();
  private readonly channel: BroadcastChannel | null;

  constructor(private readonly storage: Storage = window.sessionStorage) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<PeerMessage>) => this.onPeer(event.data));
  }

  get state(): SessionState {
    return this.current;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On start: resume this tab's session if it has one (from another tab of it, or by a refresh). */
  async restore(): Promise<void> {
    this.refreshToken = this.storage.getItem(REFRESH_KEY);
    this.family = this.storage.getItem(FAMILY_KEY);
    if (this.refreshToken === null) return this.set({ status: 'signed-out' });
    const shared = await this.askPeers();
    if (shared !== undefined) {
      this.keep(shared.refreshToken);
      if (shared.accessToken !== null) return this.set({ status: 'active', accessToken: shared.accessToken });
    }
    if (!(await this.refresh())) this.set({ status: 'signed-out' });
  }

  async login(tenant: string, email: string, password: string): Promise<LoginOutcome> {
    const body = await this.post<Tokens | { mfaRequired: true; mfaToken: string }>('/api/auth/login', {
      tenant,
      email,
      password,
    });
    if ('mfaRequired' in body) return { kind: 'mfa', mfaToken: body.mfaToken };
    this.accept(body);
    return { kind: 'signed-in' };
  }

  /** The second step of a sign-in: a code of the authenticator app, or one of the recovery codes. */
  async completeTotp(mfaToken: string, proof: { code: string } | { recoveryCode: string }): Promise<void> {
    this.accept(await this.post<Tokens>('/api/auth/login/totp', { mfaToken, ...proof }));
  }

  /** Signs out; an operator in another tenant leaves it and signs out of its own session too. */
  async logout(): Promise<void> {
    const state = this.current;
    if (state.status === 'active') await signOut(state.accessToken);
    const home = this.readHome();
    if (home !== null) {
      const tokens = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: home.refreshToken }),
      })
        .then((response) => (response.ok ? (response.json() as Promise<Tokens>) : undefined))
        .catch(() => undefined);
      if (tokens !== undefined) await signOut(tokens.accessToken);
    }
    this.forget();
    this.set({ status: 'signed-out' });
  }

  /** Set while a platform operator works in another tenant: where it returns to. */
  home(): HomeSession | null {
    const home = this.readHome();
    return home === null ? null : { tenant: home.tenant };
  }

  /**
   * The tenant switcher: a session in another tenant for this platform operator. Its own session's refresh
   * token waits in this tab until it returns. The caller reloads the console, so nothing of the previous
   * tenant stays in memory.
   */
  async enterTenant(tenantId: string, ownTenant: string): Promise<EnteredTenant> {
    const response = await this.fetch(
      new Request(`/api/platform/tenants/${encodeURIComponent(tenantId)}/enter`, { method: 'POST' }),
    );
    if (!response.ok) throw new ApiError(await problemOf(response));
    const body = (await response.json()) as Tokens & { tenant: EnteredTenant };
    if (this.readHome() === null && this.refreshToken !== null) {
      const home: StoredHome = { tenant: ownTenant, refreshToken: this.refreshToken };
      this.storage.setItem(HOME_KEY, JSON.stringify(home));
    }
    this.accept(body);
    return body.tenant;
  }

  /**
   * Leaves the tenant the operator entered (its session there ends) and makes the operator's own session this
   * tab's again; the caller reloads the console, which resumes it. False when there was nothing to return to.
   */
  async returnHome(): Promise<boolean> {
    const home = this.readHome();
    if (home === null) return false;
    const state = this.current;
    if (state.status === 'active') await signOut(state.accessToken);
    this.storage.removeItem(HOME_KEY);
    this.family = newFamily();
    this.storage.setItem(FAMILY_KEY, this.family);
    this.keep(home.refreshToken);
    return true;
  }

  /** The session ended on the server (revoked, expired, tenant suspended): ask for a new sign-in. */
  expire(reason: string): void {
    this.forget();
    this.set({ status: 'expired', reason });
  }

  /** A new access token from the refresh token; false (and no session) when that is not possible. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** fetch with the access token; on a 401 refreshes once and retries; expires the session if it cannot. */
  readonly fetch = async (input: Request): Promise<Response> => {
    const retry = input.clone();
    const first = await fetch(this.withToken(input));
    if (first.status !== 401 || this.refreshToken === null) return first;
    if (!(await this.refresh())) {
      this.expire('Your session has ended. Sign in again to continue where you were.');
      return first;
    }
    return fetch(this.withToken(retry));
  };

  /** The current access token (for EventSource, which cannot send headers). */
  accessToken(): string | undefined {
    return this.current.status === 'active' ? this.current.accessToken : undefined;
  }

  private withToken(request: Request): Request {
    const token = this.accessToken();
    if (token === undefined) return request;
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(request, { headers });
  }

  private doRefresh(): Promise<boolean> {
    const family = this.family;
    if (family === null || typeof navigator === 'undefined' || navigator.locks === undefined) {
      return this.refreshNow();
    }
    return navigator.locks.request(`inosec.refresh.${family}`, async () => {
      const refreshed = await this.refreshNow();
      if (refreshed) {
        this.announce();
        await new Promise((resolve) => setTimeout(resolve, ANNOUNCE_MS));
      }
      return refreshed;
    });
  }

  private async refreshNow(): Promise<boolean> {
    if (this.refreshToken === null) return false;
    try {
      const response = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: this.refreshToken }),
      });
      if (!response.ok) {
        this.forget();
        return false;
      }
      const tokens = (await response.json()) as Tokens;
      this.keep(tokens.refreshToken);
      this.set({ status: 'active', accessToken: tokens.accessToken });
      return true;
    } catch {
      // The appliance is unreachable: keep the refresh token and say so to the caller.
      return false;
    }
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new ApiError(await problemOf(response));
    return (await response.json()) as T;
  }

  /** Tokens of a new sign-in (a login, a tenant entered): a new family, not shared with any other tab yet. */
  private accept(tokens: Tokens): void {
    this.family = newFamily();
    this.storage.setItem(FAMILY_KEY, this.family);
    this.keep(tokens.refreshToken);
    this.set({ status: 'active', accessToken: tokens.accessToken });
  }

  private keep(refreshToken: string): void {
    this.refreshToken = refreshToken;
    this.storage.setItem(REFRESH_KEY, refreshToken);
  }

  private forget(): void {
    this.refreshToken = null;
    this.family = null;
    this.storage.removeItem(REFRESH_KEY);
    this.storage.removeItem(FAMILY_KEY);
    this.storage.removeItem(HOME_KEY);
  }

  /** Another tab's word: a starting tab of this session asks for the tokens; a refreshing one announces them. */
  private onPeer(message: PeerMessage): void {
    if (this.family === null || message.family !== this.family) return;
    if (message.type === 'hello') {
      if (this.refreshToken !== null && this.current.status === 'active') this.announce();
      return;
    }
    if (this.peerAnswer !== undefined) {
      this.peerAnswer(message);
      return;
    }
    this.keep(message.refreshToken);
    if (message.accessToken !== null && this.current.status === 'active') {
      this.set({ status: 'active', accessToken: message.accessToken });
    }
  }

  private announce(): void {
    if (this.family === null || this.refreshToken === null) return;
    const message: PeerMessage = {
      type: 'tokens',
      family: this.family,
      refreshToken: this.refreshToken,
      accessToken: this.accessToken() ?? null,
    };
    this.channel?.postMessage(message);
  }

  /** The current tokens from another tab of this session, if one answers in time. */
  private askPeers(): Promise<{ refreshToken: string; accessToken: string | null } | undefined> {
    const family = this.family;
    if (this.channel === null || family === null) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.peerAnswer = undefined;
        resolve(undefined);
      }, PEER_WAIT_MS);
      this.peerAnswer = (tokens) => {
        clearTimeout(timer);
        this.peerAnswer = undefined;
        resolve(tokens);
      };
      const hello: PeerMessage = { type: 'hello', family };
      this.channel!.postMessage(hello);
    });
  }

  private readHome(): StoredHome | null {
    try {
      const value = JSON.parse(this.storage.getItem(HOME_KEY) ?? 'null') as Partial<StoredHome> | null;
      return typeof value?.refreshToken === 'string' && typeof value.tenant === 'string'
        ? { refreshToken: value.refreshToken, tenant: value.tenant }
        : null;
    } catch {
      return null;
    }
  }

  private set(state: SessionState): void {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}

/** Ends the session of `accessToken`; an unreachable appliance is not an error here (the tab forgets it anyway). */
async function signOut(accessToken: string): Promise<void> {
  await fetch('/api/auth/logout', {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
  }).catch(() => undefined);
}

function newFamily(): string {
  return crypto.randomUUID();
}
