import type {
  AlertStateStore,
  HealthSnapshotStore,
  LifecycleEventStore,
  SharedHealth,
  StoredAlertState,
  StoredLifecycleEvent,
  TenantSignal,
  TenantSignalStore,
} from '../../../src/application/ports.js';

/** The instances' shared state in memory (tests of one process): copies in and out like a database. */
export class MemoryHealthSnapshotStore implements HealthSnapshotStore {
  readonly rows = new Map<string, SharedHealth>();
  async put(s: SharedHealth) {
    this.rows.set(s.tenantId, structuredClone(s));
  }
  async touch(tenantId: string, holder: string, at: number) {
    const s = this.rows.get(tenantId);
    if (s?.holder !== holder) return false;
    this.rows.set(tenantId, { ...s, at });
    return true;
  }
  async get(tenantId: string) {
    const s = this.rows.get(tenantId);
    return s && structuredClone(s);
  }
}

export class MemoryLifecycleEventStore implements LifecycleEventStore {
  readonly rows: (StoredLifecycleEvent & { handledAt?: number })[] = [];
  async add(e: Omit<StoredLifecycleEvent, 'seq'>) {
    this.rows.push({ ...e, seq: this.rows.length + 1 });
  }
  async pending(tenantId: string, limit: number) {
    return this.rows
      .filter((r) => r.tenantId === tenantId && r.handledAt === undefined)
      .slice(0, limit)
      .map(({ handledAt: _h, ...r }) => r);
  }
  async handled(tenantId: string, seq: number, at: number) {
    const row = this.rows.find((r) => r.tenantId === tenantId && r.seq === seq);
    if (!row || row.handledAt !== undefined) return false;
    row.handledAt = at;
    return true;
  }
  async purge(before: number) {
    const keep = this.rows.filter((r) => r.handledAt === undefined || r.handledAt >= before);
    const n = this.rows.length - keep.length;
    this.rows.splice(0, this.rows.length, ...keep);
    return n;
  }
}

export class MemoryAlertStateStore implements AlertStateStore {
  readonly rows = new Map<string, StoredAlertState>();
  async get(tenantId: string) {
    const s = this.rows.get(tenantId);
    return s && structuredClone(s);
  }
  async put(tenantId: string, state: Readonly<Record<string, unknown>>, dueAt: number | undefined, version: number) {
    if ((this.rows.get(tenantId)?.version ?? 0) !== version) return false;
    this.rows.set(tenantId, {
      tenantId,
      state: structuredClone(state),
      ...(dueAt !== undefined ? { dueAt } : {}),
      version: version + 1,
    });
    return true;
  }
  async due(now: number) {
    return [...this.rows.values()].filter((r) => r.dueAt !== undefined && r.dueAt <= now).map((r) => r.tenantId);
  }
}

export class MemoryTenantSignalStore implements TenantSignalStore {
  readonly rows = new Map<string, number>();
  async raise(tenantId: string, signal: TenantSignal) {
    const key = `${tenantId}\u0000${signal}`;
    const version = (this.rows.get(key) ?? 0) + 1;
    this.rows.set(key, version);
    return version;
  }
  async versions(signal: TenantSignal, tenantIds: readonly string[]) {
    const out = new Map<string, number>();
    for (const t of tenantIds) {
      const v = this.rows.get(`${t}\u0000${signal}`);
      if (v !== undefined) out.set(t, v);
    }
    return out;
  }
}
