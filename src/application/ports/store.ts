import type { PresenceRule } from '../../domain/presence-rule.js';
import type { SyncEvent } from '../../domain/effects.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { Tenant } from '../../domain/tenant.js';
import type { SealedPresence } from './presence.js';

/**
 * Persistence ports. Every method is tenant-scoped: no call can read or change another tenant's
 * data. Writes are transactional: a failed write leaves what was there.
 */

/** A failed optimistic-concurrency check or a uniqueness clash. */
export class StoreConflictError extends Error {
  readonly code = 'STORE.CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export interface TenantStore {
  get(tenantId: string): Promise<Tenant | undefined>;
  list(): Promise<readonly Tenant[]>;
  upsert(tenant: Tenant): Promise<void>;
  /** Connection settings with secrets; stored encrypted (AES-256-GCM), returned decrypted. */
  getConnection(tenantId: string, kind: ConnectionKind): Promise<Record<string, string> | undefined>;
  putConnection(tenantId: string, kind: ConnectionKind, values: Record<string, string>): Promise<void>;
}
/** `settings`: the tenant's settings (reconciliation period, trace retention), kept like a connection; `consent`: its verified admin consent. */
export type ConnectionKind = 'cxone' | 'graph' | 'settings' | 'consent' | `owner:${string}`;

export interface AuditEntry {
  readonly tenantId: string;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface RuleStore {
  list(tenantId: string): Promise<readonly PresenceRule[]>;
  get(tenantId: string, ruleId: string): Promise<PresenceRule | undefined>;
  /** Insert or update; `expectedVersion` guards concurrent edits (StoreConflictError). Audited. */
  save(rule: PresenceRule, actor: string, expectedVersion?: number): Promise<PresenceRule>;
  delete(tenantId: string, ruleId: string, actor: string): Promise<boolean>;
  audit(tenantId: string, limit: number): Promise<readonly AuditEntry[]>;
  /** Appends an entry for a change made outside this store (settings, connections and their tests). */
  recordAudit(entry: AuditEntry): Promise<void>;
}

/** ACD agent ↔ Entra user. */
export interface UserLink {
  readonly tenantId: string;
  readonly agentId: string;
  readonly teamsUserId: string;
  readonly source: 'auto' | 'manual' | 'import';
  readonly email?: string;
}

export interface UserLinkStore {
  list(tenantId: string): Promise<readonly UserLink[]>;
  byAgent(tenantId: string, agentId: string): Promise<UserLink | undefined>;
  /** The links of these agents (those that have one), in one read: the engine loads a whole pull at once. */
  byAgents(tenantId: string, agentIds: readonly string[]): Promise<readonly UserLink[]>;
  byTeamsUser(tenantId: string, teamsUserId: string): Promise<UserLink | undefined>;
  /** The links of these Teams users (unlinked ones are simply absent), in a few statements. */
  byTeamsUsers(tenantId: string, teamsUserIds: readonly string[]): Promise<readonly UserLink[]>;
  /** Replace the given links atomically (an agent and a Teams user appear in at most one link). */
  put(links: readonly UserLink[], actor: string): Promise<void>;
  remove(tenantId: string, agentId: string, actor: string): Promise<void>;
}

export interface AgentStateStore {
  get(tenantId: string, agentId: string): Promise<AgentSyncState | undefined>;
  /** The states of these agents (those that have one), in one read. */
  getMany(tenantId: string, agentIds: readonly string[]): Promise<readonly AgentSyncState[]>;
  list(tenantId: string): Promise<readonly AgentSyncState[]>;
  put(tenantId: string, state: AgentSyncState): Promise<void>;
}

/** A durable inbox entry: an event accepted at ingress, processed asynchronously and idempotently. */
export interface InboxEntry {
  readonly seq: number;
  readonly tenantId: string;
  readonly agentId: string;
  readonly event: SyncEvent;
  readonly receivedAt: number;
  readonly attempts: number;
  /** Resource data still encrypted: the event's presence is a placeholder until it is opened. */
  readonly sealed?: SealedPresence;
}

/** What {@link InboxStore.append} takes. */
export interface InboxAppend {
  readonly tenantId: string;
  readonly agentId: string;
  readonly event: SyncEvent;
  readonly receivedAt: number;
  readonly sealed?: SealedPresence;
}

export interface InboxStore {
  /** Append; an event whose (tenantId, eventId) is already present is ignored (returns false). */
  append(entries: readonly InboxAppend[]): Promise<number>;
  /**
   * Oldest unprocessed entries, at most `limit`, in arrival order; with `afterSeq`, only those
   * after it (what arrived since the last pull, without reading again what is being processed).
   */
  pending(tenantId: string, limit: number, afterSeq?: number): Promise<readonly InboxEntry[]>;
  /** Mark done together with the agent's new state, in one transaction (idempotent processing). */
  complete(seq: number, tenantId: string, state: AgentSyncState): Promise<void>;
  fail(seq: number, error: string, retryAt: number): Promise<void>;
  depth(tenantId?: string): Promise<number>;
  /**
   * Unprocessed entries per agent, those waiting for a retry included (unlike `pending`), for the
   * `limit` agents with the oldest ones: who a takeover resumes.
   */
  pendingByAgent(tenantId: string, limit: number): Promise<ReadonlyMap<string, number>>;
  /** When each of these events first arrived, for those the inbox holds (a dropped duplicate is traced against it). */
  receivedAt(tenantId: string, eventIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** One hop of an agent's flow, for the Log Reader (design.md §1). */
export const TRACE_HOPS = [
  'acd.event',
  'rule.resolved',
  'decision',
  'graph.request',
  'graph.response',
  'teams.notification',
  'acd.request',
  'acd.response',
  'reconcile.correction',
  'subscription',
  'error',
  // An instance took up the tenant's sync (restart, or takeover from a dead owner) with this agent's events pending.
  'ownership',
] as const;
export type TraceHop = (typeof TRACE_HOPS)[number];

export interface TraceEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly agentId: string;
  readonly teamsUserId?: string;
  /** Ties the hops of one flow together. */
  readonly traceId: string;
  readonly hop: TraceHop;
  readonly at: number;
  /** Time since the previous hop of the same trace, when known. */
  readonly latencyMs?: number;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface TraceQuery {
  readonly tenantId: string;
  readonly agentId?: string;
  readonly traceId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit: number;
}

export interface TraceStore {
  append(events: readonly TraceEvent[]): Promise<void>;
  query(q: TraceQuery): Promise<readonly TraceEvent[]>;
  /**
   * Delete events older than `olderThan` — or, for a tenant in `olderThanFor`, older than its own
   * cut-off (its saved retention) — and beyond `maxPerTenant`; returns how many.
   */
  prune(olderThan: number, maxPerTenant: number, olderThanFor?: ReadonlyMap<string, number>): Promise<number>;
}

export interface StoredSubscription {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly ownerId: string;
  readonly resource: string;
  readonly userIds: readonly string[];
  readonly clientState: string;
  readonly expiresAt: number;
  readonly createdAt: number;
  /**
   * Rich notifications: the id of the certificate Graph encrypts this subscription's resource data
   * with; absent for a subscription created without resource data (it is recreated once we want it).
   */
  readonly encryptionCertificateId?: string;
}

export interface SubscriptionStore {
  list(tenantId: string): Promise<readonly StoredSubscription[]>;
  put(sub: StoredSubscription): Promise<void>;
  remove(tenantId: string, subscriptionId: string): Promise<void>;
  byId(subscriptionId: string): Promise<StoredSubscription | undefined>;
  /** Every stored subscription id, all tenants (the webhook's list of ids worth a store read). */
  ids(): Promise<readonly string[]>;
}

export interface ConversationRef {
  readonly tenantId: string;
  readonly conversationId: string;
  /** The serialized Bot Framework ConversationReference (wire shape: `bot`, not the Agents SDK's `agent`). */
  readonly reference: Readonly<Record<string, unknown>>;
  readonly scope: 'personal' | 'team' | 'groupChat';
  readonly installedBy?: string;
}

export interface ConversationStore {
  put(ref: ConversationRef): Promise<void>;
  remove(tenantId: string, conversationId: string): Promise<void>;
  list(tenantId: string): Promise<readonly ConversationRef[]>;
}

/**
 * A user known to hold a Presence Sync app role in a tenant (admin or support). The bot sees no
 * SSO token, so it learns who holds which role from where a token was seen: a call to the tab API
 * (`sso`), a subscription owner's sign-in (`owner`), or the sandbox seed.
 */
export interface TenantAdmin {
  readonly tenantId: string;
  /** Entra object id (the bot's `from.aadObjectId`). */
  readonly aadObjectId: string;
  readonly name: string;
  /** The role the token carried (`PresenceSync.Admin` or `PresenceSync.Support`); absent = admin (rows before roles). */
  readonly role?: 'admin' | 'support';
  readonly source: 'sso' | 'owner' | 'sandbox';
  /** Epoch ms of the latest recorded sighting. */
  readonly lastSeen: number;
}

export interface TenantAdminStore {
  /** Inserts or refreshes (name, source, lastSeen) the admin. */
  record(admin: TenantAdmin): Promise<void>;
  get(tenantId: string, aadObjectId: string): Promise<TenantAdmin | undefined>;
  list(tenantId: string): Promise<readonly TenantAdmin[]>;
  /** The user was seen without any Presence Sync role: the bot no longer answers them as staff. */
  remove(tenantId: string, aadObjectId: string): Promise<void>;
}

/**
 * The key pair Graph encrypts rich notifications to (reference graph-presence.md §3.3, §3.8): the
 * public certificate goes into every subscription, the private key decrypts on every instance.
 */
export interface NotificationKey {
  /** Our label for the certificate (`encryptionCertificateId`, ≤ 128 chars). */
  readonly certificateId: string;
  /** The X.509 certificate, base64 DER (public; what a subscription carries). */
  readonly certificate: string;
  /** PKCS#8 PEM private key; sealed at rest like tenant secrets. */
  readonly privateKeyPem: string;
  readonly createdAt: number;
}

export interface NotificationKeyStore {
  /**
   * The key subscriptions are created with. When there is none yet `candidate` becomes it; the
   * first writer wins, so instances starting together all end up with the same key.
   */
  currentOrAdd(candidate: NotificationKey): Promise<NotificationKey>;
  /** Every key that may still decrypt: the current one first, then retired ones (rotation). */
  all(): Promise<readonly NotificationKey[]>;
}

/** A time-bound ownership claim (a tenant's sync work is owned by one instance at a time). */
export interface LeaseStore {
  /** Take or renew `name` for `holder` until now+ttl; false when another holder has it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
  holder(name: string): Promise<string | undefined>;
  /** Take `name` for `holder` from `from`, known to be gone, before its lease expires; false unless `from` still held it. */
  takeOver(name: string, from: string, holder: string, ttlMs: number): Promise<boolean>;
}

/**
 * Request counts per key and fixed time window, shared by every instance on the store: the tab
 * API's per-tenant and per-user limits then hold behind a load balancer, not once per instance.
 */
export interface RateWindowStore {
  /** Counts one request of `key` in the window starting at `windowStart`; the count so far, this one included. */
  hit(key: string, windowStart: number): Promise<number>;
  /** Drops windows that started before `before`. */
  purge(before: number): Promise<number>;
}

/**
 * The Health Check of a tenant as the instance running its sync last saw it: that instance
 * rewrites it every few seconds, so every other instance answers the same Health Check, and a
 * snapshot that stops being rewritten tells that nobody runs the sync any more.
 */
export interface SharedHealth {
  readonly tenantId: string;
  /** The instance that wrote it (the tenant's lease holder then). */
  readonly holder: string;
  /** When it was written (epoch ms). */
  readonly at: number;
  /** The health model's snapshot of the tenant (components, sync state, volumes). */
  readonly health: Readonly<Record<string, unknown>>;
}

export interface HealthSnapshotStore {
  /** Replaces the tenant's snapshot. */
  put(snapshot: SharedHealth): Promise<void>;
  /**
   * The holder's heartbeat: its stored snapshot is still what it sees, as of `at` (only `at` is
   * written). False when the stored snapshot is not `holder`'s (or there is none): write it whole.
   */
  touch(tenantId: string, holder: string, at: number): Promise<boolean>;
  get(tenantId: string): Promise<SharedHealth | undefined>;
}

/** A Graph subscription lifecycle event received by any instance, for the tenant's owner to act on. */
export interface StoredLifecycleEvent {
  readonly seq: number;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** reauthorizationRequired, subscriptionRemoved or missed. */
  readonly event: string;
  readonly receivedAt: number;
}

export interface LifecycleEventStore {
  add(event: Omit<StoredLifecycleEvent, 'seq'>): Promise<void>;
  /** The tenant's events not handled yet, oldest first. */
  pending(tenantId: string, limit: number): Promise<readonly StoredLifecycleEvent[]>;
  /** Marks one handled; false when it already was (another instance got there first). */
  handled(tenantId: string, seq: number, at: number): Promise<boolean>;
  /** Drops handled events handled before `before`. */
  purge(before: number): Promise<number>;
}

/**
 * What a change saved through one instance must reach the others with: `config` (rules, links,
 * the sync switch: the owner re-plans the tenant's Graph subscriptions) and `directory` (the owner
 * saw an agent move team in CXone's Real-Time records: every instance's cached directory is stale)
 * and `connection` (the CXone connection saved: the lease holder rebuilds the tenant's adapters).
 */
export type TenantSignal = 'config' | 'directory' | 'connection';

/** One counter per tenant and signal, raised by whoever learns of a change and polled by the others. */
export interface TenantSignalStore {
  /** Raises the tenant's signal; resolves to its new version. */
  raise(tenantId: string, signal: TenantSignal, at: number): Promise<number>;
  /** The current versions of the signal for these tenants (never raised: absent). */
  versions(signal: TenantSignal, tenantIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** The bot's alert pacing and batching state of one tenant, shared so a failover neither repeats nor loses an alert. */
export interface StoredAlertState {
  readonly tenantId: string;
  readonly state: Readonly<Record<string, unknown>>;
  /** When the pending transitions are due to go out (none pending: absent). */
  readonly dueAt?: number;
  /** Optimistic concurrency: the version a `put` must name. */
  readonly version: number;
}

export interface AlertStateStore {
  get(tenantId: string): Promise<StoredAlertState | undefined>;
  /**
   * Writes the state when the stored version is still `version` (0: no row yet), as version + 1;
   * false when another instance wrote first (read again and redo).
   */
  put(
    tenantId: string,
    state: Readonly<Record<string, unknown>>,
    dueAt: number | undefined,
    version: number,
  ): Promise<boolean>;
  /** Tenants whose pending alerts are due at `now`. */
  due(now: number): Promise<readonly string[]>;
}

/** All repositories of one store, plus its lifecycle. */
export interface Store {
  readonly tenants: TenantStore;
  readonly rules: RuleStore;
  readonly userLinks: UserLinkStore;
  readonly agentStates: AgentStateStore;
  readonly inbox: InboxStore;
  readonly traces: TraceStore;
  readonly subscriptions: SubscriptionStore;
  readonly conversations: ConversationStore;
  readonly leases: LeaseStore;
  readonly tenantAdmins: TenantAdminStore;
  readonly notificationKeys: NotificationKeyStore;
  readonly rateWindows: RateWindowStore;
  readonly healthSnapshots: HealthSnapshotStore;
  readonly lifecycleEvents: LifecycleEventStore;
  readonly alertStates: AlertStateStore;
  readonly tenantSignals: TenantSignalStore;
  /** True when reachable and migrations are applied (/readyz). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
