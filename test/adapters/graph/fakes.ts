import type {
  ConnectionKind,
  Logger,
  StoredSubscription,
  SubscriptionStore,
  TenantStore,
} from '../../../src/application/ports.js';

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
  async ids(): Promise<readonly string[]> {
    return [...this.subs.keys()];
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

/** Records log lines; a hand-written fake of the Logger port. */
export class RecordingLogger implements Logger {
  constructor(readonly lines: { level: string; msg?: string; obj: Record<string, unknown> }[] = []) {}
  child(): Logger {
    return this;
  }
  debug(obj: Record<string, unknown>, msg?: string): void {
    this.lines.push({ level: 'debug', obj, ...(msg ? { msg } : {}) });
  }
  info(obj: Record<string, unknown>, msg?: string): void {
    this.lines.push({ level: 'info', obj, ...(msg ? { msg } : {}) });
  }
  warn(obj: Record<string, unknown>, msg?: string): void {
    this.lines.push({ level: 'warn', obj, ...(msg ? { msg } : {}) });
  }
  error(obj: Record<string, unknown>, msg?: string): void {
    this.lines.push({ level: 'error', obj, ...(msg ? { msg } : {}) });
  }
}
