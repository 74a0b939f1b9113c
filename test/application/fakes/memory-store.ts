import {
  StoreConflictError,
  type AgentStateStore,
  type AuditEntry,
  type Clock,
  type ConnectionKind,
  type ConversationRef,
  type ConversationStore,
  type LeaseStore,
  type NotificationKey,
  type NotificationKeyStore,
  type RateWindowStore,
  type RuleStore,
  type Store,
  type StoredSubscription,
  type SubscriptionStore,
  type TenantAdmin,
  type TenantAdminStore,
  type TenantStore,
  type UserLink,
  type UserLinkStore,
} from '../../../src/application/ports.js';
import type { PresenceRule } from '../../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../../src/domain/sync-state.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { MemoryInboxStore } from './memory-inbox-store.js';
import {
  MemoryAlertStateStore,
  MemoryHealthSnapshotStore,
  MemoryLifecycleEventStore,
  MemoryTenantSignalStore,
} from './memory-shared-state.js';
import { MemoryTraceStore } from './memory-trace-store.js';

type Copy = <T>(v: T) => T;
const deepCopy: Copy = (v) => structuredClone(v);
const noCopy: Copy = (v) => v;

class MemoryTenantStore implements TenantStore {
  constructor(private readonly clone: Copy) {}
  readonly tenants = new Map<string, Tenant>();
  readonly connections = new Map<string, Record<string, string>>();
  async get(tenantId: string) {
    const t = this.tenants.get(tenantId);
    return t && this.clone(t);
  }
  async list() {
    return [...this.tenants.values()].map((v) => this.clone(v));
  }
  async upsert(tenant: Tenant) {
    this.tenants.set(tenant.id, this.clone(tenant));
  }
  async getConnection(tenantId: string, kind: ConnectionKind) {
    const c = this.connections.get(`${tenantId}/${kind}`);
    return c && this.clone(c);
  }
  async putConnection(tenantId: string, kind: ConnectionKind, values: Record<string, string>) {
    this.connections.set(`${tenantId}/${kind}`, this.clone(values));
  }
}

class MemoryRuleStore implements RuleStore {
  readonly rules = new Map<string, PresenceRule>();
  readonly log: AuditEntry[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly clone: Copy,
  ) {}
  async list(tenantId: string) {
    return [...this.rules.values()].filter((r) => r.tenantId === tenantId).map((v) => this.clone(v));
  }
  async get(tenantId: string, ruleId: string) {
    const r = this.rules.get(`${tenantId}/${ruleId}`);
    return r && this.clone(r);
  }
  async save(rule: PresenceRule, actor: string, expectedVersion?: number) {
    const key = `${rule.tenantId}/${rule.id}`;
    const before = this.rules.get(key);
    if (expectedVersion !== undefined && (before?.version ?? 0) !== expectedVersion)
      throw new StoreConflictError(`rule ${rule.id} changed meanwhile`);
    const saved = { ...this.clone(rule), version: (before?.version ?? 0) + 1 };
    this.rules.set(key, saved);
    this.log.push({
      tenantId: rule.tenantId,
      at: this.clock.now(),
      actor,
      action: before ? 'update' : 'create',
      entity: 'rule',
      entityId: rule.id,
      before,
      after: saved,
    });
    return this.clone(saved);
  }
  async delete(tenantId: string, ruleId: string, actor: string) {
    const before = this.rules.get(`${tenantId}/${ruleId}`);
    this.rules.delete(`${tenantId}/${ruleId}`);
    if (before)
      this.log.push({
        tenantId,
        at: this.clock.now(),
        actor,
        action: 'delete',
        entity: 'rule',
        entityId: ruleId,
        before,
        after: null,
      });
    return before !== undefined;
  }
  async recordAudit(entry: AuditEntry): Promise<void> {
    this.log.push(entry);
  }

  async audit(tenantId: string, limit: number) {
    return this.log
      .filter((a) => a.tenantId === tenantId)
      .slice(-limit)
      .reverse();
  }
}

class MemoryUserLinkStore implements UserLinkStore {
  constructor(private readonly clone: Copy) {}
  links: UserLink[] = [];
  async list(tenantId: string) {
    return this.links.filter((l) => l.tenantId === tenantId).map((v) => this.clone(v));
  }
  async byAgent(tenantId: string, agentId: string) {
    const l = this.links.find((x) => x.tenantId === tenantId && x.agentId === agentId);
    return l && this.clone(l);
  }
  async byAgents(tenantId: string, agentIds: readonly string[]) {
    const wanted = new Set(agentIds);
    return this.links.filter((x) => x.tenantId === tenantId && wanted.has(x.agentId)).map((v) => this.clone(v));
  }
  async byTeamsUsers(tenantId: string, teamsUserIds: readonly string[]) {
    const wanted = new Set(teamsUserIds);
    return this.links.filter((x) => x.tenantId === tenantId && wanted.has(x.teamsUserId)).map((v) => this.clone(v));
  }
  async byTeamsUser(tenantId: string, teamsUserId: string) {
    const l = this.links.find((x) => x.tenantId === tenantId && x.teamsUserId === teamsUserId);
    return l && this.clone(l);
  }
  async put(links: readonly UserLink[], _actor?: string) {
    for (const l of links) {
      this.links = this.links.filter(
        (x) => !(x.tenantId === l.tenantId && (x.agentId === l.agentId || x.teamsUserId === l.teamsUserId)),
      );
      this.links.push(this.clone(l));
    }
  }
  async remove(tenantId: string, agentId: string, _actor?: string) {
    this.links = this.links.filter((x) => !(x.tenantId === tenantId && x.agentId === agentId));
  }
}

class MemoryAgentStateStore implements AgentStateStore {
  constructor(private readonly clone: Copy) {}
  readonly states = new Map<string, AgentSyncState>();
  async get(tenantId: string, agentId: string) {
    const s = this.states.get(`${tenantId}/${agentId}`);
    return s && this.clone(s);
  }
  async getMany(tenantId: string, agentIds: readonly string[]) {
    return agentIds.flatMap((a) => {
      const s = this.states.get(`${tenantId}/${a}`);
      return s ? [this.clone(s)] : [];
    });
  }
  async list(tenantId: string) {
    return [...this.states.entries()].filter(([k]) => k.startsWith(`${tenantId}/`)).map(([, s]) => this.clone(s));
  }
  async put(tenantId: string, state: AgentSyncState) {
    this.states.set(`${tenantId}/${state.agentId}`, this.clone(state));
  }
}

class MemorySubscriptionStore implements SubscriptionStore {
  constructor(private readonly clone: Copy) {}
  readonly subs = new Map<string, StoredSubscription>();
  async list(tenantId: string) {
    return [...this.subs.values()].filter((s) => s.tenantId === tenantId).map((v) => this.clone(v));
  }
  async put(sub: StoredSubscription) {
    this.subs.set(sub.subscriptionId, this.clone(sub));
  }
  async remove(_tenantId: string, subscriptionId: string) {
    this.subs.delete(subscriptionId);
  }
  async byId(subscriptionId: string) {
    const s = this.subs.get(subscriptionId);
    return s && this.clone(s);
  }
  async ids() {
    return [...this.subs.keys()];
  }
}

class MemoryConversationStore implements ConversationStore {
  constructor(private readonly clone: Copy) {}
  refs: ConversationRef[] = [];
  async put(ref: ConversationRef) {
    this.refs = [
      ...this.refs.filter((r) => !(r.tenantId === ref.tenantId && r.conversationId === ref.conversationId)),
      this.clone(ref),
    ];
  }
  async remove(tenantId: string, conversationId: string) {
    this.refs = this.refs.filter((r) => !(r.tenantId === tenantId && r.conversationId === conversationId));
  }
  async list(tenantId: string) {
    return this.refs.filter((r) => r.tenantId === tenantId).map((v) => this.clone(v));
  }
}

class MemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, { holder: string; until: number }>();
  constructor(private readonly clock: Clock) {}
  async acquire(name: string, holder: string, ttlMs: number) {
    const now = this.clock.now();
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.until > now) return false;
    this.leases.set(name, { holder, until: now + ttlMs });
    return true;
  }
  async takeOver(name: string, from: string, holder: string, ttlMs: number) {
    if (this.leases.get(name)?.holder !== from) return false;
    this.leases.set(name, { holder, until: this.clock.now() + ttlMs });
    return true;
  }
  async release(name: string, holder: string) {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }
  async holder(name: string) {
    const l = this.leases.get(name);
    return l && l.until > this.clock.now() ? l.holder : undefined;
  }
}

class MemoryTenantAdminStore implements TenantAdminStore {
  readonly admins = new Map<string, TenantAdmin>();
  async record(admin: TenantAdmin) {
    this.admins.set(`${admin.tenantId}/${admin.aadObjectId}`, { ...admin });
  }
  async get(tenantId: string, aadObjectId: string) {
    const a = this.admins.get(`${tenantId}/${aadObjectId}`);
    return a && { ...a };
  }
  async list(tenantId: string) {
    return [...this.admins.values()].filter((a) => a.tenantId === tenantId).map((a) => ({ ...a }));
  }
  async remove(tenantId: string, aadObjectId: string) {
    this.admins.delete(`${tenantId}/${aadObjectId}`);
  }
}

class MemoryNotificationKeyStore implements NotificationKeyStore {
  keys: NotificationKey[] = [];
  async currentOrAdd(candidate: NotificationKey) {
    if (this.keys.length === 0) this.keys = [{ ...candidate }];
    return { ...this.keys[0]! };
  }
  async all() {
    return this.keys.map((k) => ({ ...k }));
  }
}

class MemoryRateWindowStore implements RateWindowStore {
  readonly counts = new Map<string, number>();
  async hit(key: string, windowStart: number): Promise<number> {
    const k = `${windowStart}|${key}`;
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    return n;
  }
  async purge(before: number): Promise<number> {
    let n = 0;
    for (const k of this.counts.keys())
      if (Number(k.split('|')[0]) < before) {
        this.counts.delete(k);
        n += 1;
      }
    return n;
  }
}

/** Every repository of the Store port in memory; values are copied in and out like a database. */
export class MemoryStore implements Store {
  readonly tenants: MemoryTenantStore;
  readonly rules: MemoryRuleStore;
  readonly userLinks: MemoryUserLinkStore;
  readonly agentStates: MemoryAgentStateStore;
  readonly inbox: MemoryInboxStore;
  readonly traces: MemoryTraceStore;
  readonly subscriptions: MemorySubscriptionStore;
  readonly conversations: MemoryConversationStore;
  readonly leases: MemoryLeaseStore;
  readonly tenantAdmins = new MemoryTenantAdminStore();
  readonly notificationKeys = new MemoryNotificationKeyStore();
  readonly rateWindows = new MemoryRateWindowStore();
  readonly healthSnapshots = new MemoryHealthSnapshotStore();
  readonly lifecycleEvents = new MemoryLifecycleEventStore();
  readonly alertStates = new MemoryAlertStateStore();
  readonly tenantSignals = new MemoryTenantSignalStore();
  closed = false;

  /** `copies: false` skips copying values in and out (benchmarks); tests keep it on to catch shared mutation. */
  constructor(clock: Clock, opts: { copies?: boolean } = {}) {
    const copy = opts.copies === false ? noCopy : deepCopy;
    this.tenants = new MemoryTenantStore(copy);
    this.rules = new MemoryRuleStore(clock, copy);
    this.userLinks = new MemoryUserLinkStore(copy);
    this.agentStates = new MemoryAgentStateStore(copy);
    this.inbox = new MemoryInboxStore(clock, this.agentStates, copy);
    this.traces = new MemoryTraceStore(copy);
    this.subscriptions = new MemorySubscriptionStore(copy);
    this.conversations = new MemoryConversationStore(copy);
    this.leases = new MemoryLeaseStore(clock);
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
