import type { Principal } from './principal.repository.js';

interface Entry {
  principal: Principal | undefined;
  tenantId: string;
  userId: string;
  expires: number;
}

/**
 * Principals by session id for a few seconds, so the per-request session check costs a query only once per
 * session and TTL. This process drops entries at once when it changes what they say (logout, role change,
 * suspension); other replicas see the change within the TTL.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 50_000,
  ) {}

  get(sessionId: string): Entry | undefined {
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  set(sessionId: string, tenantId: string, userId: string, principal: Principal | undefined): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(sessionId, { principal, tenantId, userId, expires: Date.now() + this.ttlMs });
  }

  invalidateSession(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  invalidateUser(userId: string): void {
    for (const [id, entry] of this.entries) if (entry.userId === userId) this.entries.delete(id);
  }

  invalidateTenant(tenantId: string): void {
    for (const [id, entry] of this.entries) if (entry.tenantId === tenantId) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
