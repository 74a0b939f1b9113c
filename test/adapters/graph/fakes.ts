import type { ConnectionKind, StoredSubscription, SubscriptionStore, TenantStore } from '../../../src/application/ports.js';

/** Hand-written in-memory fake of the SubscriptionStore port. */
export class InMemorySubscriptionStore implements SubscriptionStore {
  readonly subs = new Map<string, StoredSubscription>();
  async list(tenantId: string): Promise<readonly StoredSubscription[]> {
    return [...this.subs.values()].filter((s) => s.tenantId === tenantId);
  }
  async put(sub: StoredSubscription): Promise<void> {
    this.subs.set(sub.subscriptionId, sub);
  }
  async remove(tenantId: string, subscriptionId: string): Promise<void> {
    if (this.subs.get(subscriptionId)?.tenantId === tenantId) this.subs.delete(subscriptionId);
  }
  async byId(subscriptionId: string): Promise<StoredSubscription | undefined> {
    return this.subs.get(subscriptionId);
  }
}

/** Hand-written fake of TenantStore's connection values (the real one encrypts them). */
export class InMemoryConnections implements Pick<TenantStore, 'getConnection' | 'putConnection'> {
  readonly values = new Map<string, Record<string, string>>();
  async getConnection(tenantId: string, kind: ConnectionKind): Promise<Record<string, string> | undefined> {
    return this.values.get(`${tenantId}/${kind}`);
  }
  async putConnection(tenantId: string, kind: ConnectionKind, values: Record<string, string>): Promise<void> {
    this.values.set(`${tenantId}/${kind}`, { ...values });
  }
}
