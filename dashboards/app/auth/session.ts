// The analyst's session: the short-lived access token in memory, the refresh token in this tab's
// sessionStorage (a reload keeps the session, closing the tab ends it; never localStorage, so it is not
// shared across tabs or kept on disk), one refresh at a time, and a clear "expired" state instead of a
// silent failure.
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

export class Session {
  private current: SessionState = { status: 'restoring' };
  private refreshToken: string | null = null;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(private readonly storage: Storage = window.sessionStorage) {}

  get state(): SessionState {
    return this.current;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On start: resume this tab's session if it has one. */
  async restore(): Promise<void> {
    this.refreshToken = this.storage.getItem(REFRESH_KEY);
    if (this.refreshToken === null) return this.set({ status: 'signed-out' });
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

  async completeTotp(mfaToken: string, code: string): Promise<void> {
    this.accept(await this.post<Tokens>('/api/auth/login/totp', { mfaToken, code }));
  }

  async logout(): Promise<void> {
    const state = this.current;
    if (state.status === 'active') {
      await fetch('/api/auth/logout', {
        method: 'POST',
        headers: { authorization: `Bearer ${state.accessToken}` },
      }).catch(() => undefined);
    }
    this.forget();
    this.set({ status: 'signed-out' });
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

  private async doRefresh(): Promise<boolean> {
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
      this.accept((await response.json()) as Tokens);
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

  private accept(tokens: Tokens): void {
    this.refreshToken = tokens.refreshToken;
    this.storage.setItem(REFRESH_KEY, tokens.refreshToken);
    this.set({ status: 'active', accessToken: tokens.accessToken });
  }

  private forget(): void {
    this.refreshToken = null;
    this.storage.removeItem(REFRESH_KEY);
  }

  private set(state: SessionState): void {
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
