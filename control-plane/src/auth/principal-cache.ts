import type { Principal } from './principal.repository.js';

interface Entry {
  principal: Principal | undefined;
  tenantId: string;
  userId: string;
  expires: number;
}

/** How long an entry lives while every change is announced to this process (PrincipalChanges listening). */
export const ANNOUNCED_TTL_MS = 60_000;
/** How long an entry lives while changes made by other replicas may go unheard (no LISTEN connection). */
export const UNANNOUNCED_TTL_MS = 5_000;

/**
 * Principals by session id, so the per-request session check costs a query once per session and TTL. This
 * process drops entries at once when it changes what they say (logout, role change, suspension); changes made
 * anywhere else reach it through PostgreSQL (PrincipalChanges: a trigger NOTIFYs the tenant, every replica
 * drops that tenant's entries). While that channel is heard, entries live a minute; while it is not (the
 * LISTEN connection dropped, not yet up), a few seconds, and the cache is emptied on every switch, since
 * what was announced in between is lost. No entry outlives its session's expiry.
 *
 * A read that raced a change is not stored: the caller takes `generation` before it reads the principal and
 * passes it to `set`, which stores nothing if anything was invalidated in between (the read may have seen
 * the state from before a change whose notice already came).
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private announced = false;
  private invalidations = 0;

  constructor(
    private readonly announcedTtlMs = ANNOUNCED_TTL_MS,
    private readonly unannouncedTtlMs = UNANNOUNCED_TTL_MS,
    private readonly maxEntries = 50_000,
  ) {}

  /** Whether every change is announced to this process now; empties the cache on a switch. */
  setAnnounced(announced: boolean): void {
    if (announced === this.announced) return;
    this.announced = announced;
    this.clear();
  }

  /** Bumped by every invalidation: pass the value read before a principal read to `set`. */
  get generation(): number {
    return this.invalidations;
  }

  get ttlMs(): number {
    return this.announced ? this.announcedTtlMs : this.unannouncedTtlMs;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sessionId: string): Entry | undefined {
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  /**
   * The principal of a session: cached, or read with `read` (and cached unless an invalidation came while it
   * read). Undefined when the session does not exist for that user and tenant.
   */
  async resolve(
    sessionId: string,
    tenantId: string,
    userId: string,
    read: () => Promise<Principal | undefined>,
  ): Promise<Principal | undefined> {
    const entry = this.get(sessionId);
    if (entry !== undefined && entry.userId === userId && entry.tenantId === tenantId) return entry.principal;
    const generation = this.invalidations;
    const principal = await read();
    this.set(sessionId, tenantId, userId, principal, generation);
    return principal;
  }

  set(
    sessionId: string,
    tenantId: string,
    userId: string,
    principal: Principal | undefined,
    generation: number,
  ): void {
    if (generation !== this.invalidations) return;
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(sessionId); // re-inserted last: the eviction order stays oldest first
    const ttlEnd = Date.now() + this.ttlMs;
    const expires = principal === undefined ? ttlEnd : Math.min(ttlEnd, principal.sessionExpiresAt);
    this.entries.set(sessionId, { principal, tenantId, userId, expires });
  }

  invalidateSession(sessionId: string): void {
    this.invalidations += 1;
    this.entries.delete(sessionId);
  }

  invalidateUser(userId: string): void {
    this.invalidations += 1;
    for (const [id, entry] of this.entries) if (entry.userId === userId) this.entries.delete(id);
  }

  invalidateTenant(tenantId: string): void {
    this.invalidations += 1;
    for (const [id, entry] of this.entries) if (entry.tenantId === tenantId) this.entries.delete(id);
  }

  clear(): void {
    this.invalidations += 1;
    this.entries.clear();
  }
}
