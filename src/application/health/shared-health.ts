import type { Cancel, Clock, HealthSnapshotStore, Logger, Scheduler } from '../ports.js';
import type { TenantHealth } from './health-model.js';

/** Who runs a tenant's sync, for the Health Check (behind a load balancer any instance may answer it). */
export interface TenantOwnershipView {
  readonly holder?: string;
  /** The instance answering is the holder and runs the tenant's sync. */
  readonly here: boolean;
  /** When this instance took the tenant up (only when `here`). */
  readonly since?: number;
}

/** The Health Check as every instance answers it: the owner's model, with who owns the sync. */
export type SharedTenantHealth = Readonly<Record<string, unknown>> & {
  readonly status: string;
  readonly syncActive: boolean;
  readonly syncDetail: string;
  readonly components: readonly Readonly<Record<string, unknown>>[];
  readonly ownership: TenantOwnershipView;
};

export interface SharedHealthOptions {
  /**
   * How often the lease holder reports each tenant it holds: the whole snapshot when what an admin
   * reads changed, else only the time (the heartbeat that keeps it fresh).
   */
  readonly publishEveryMs: number;
  /** A snapshot older than this tells that its writer no longer runs the sync (hung or gone). */
  readonly staleAfterMs: number;
  /**
   * Success times and volumes move on every tick without changing what the Health Check says: a
   * snapshot whose only changes are those is rewritten this often, not at every publish.
   */
  readonly rewriteMovingEveryMs: number;
}

export const DEFAULT_SHARED_HEALTH: SharedHealthOptions = Object.freeze({
  publishEveryMs: 2_000,
  staleAfterMs: 10_000,
  rewriteMovingEveryMs: 30_000,
});

/** What the Health Check says (statuses, details, sync state, agents not shown), without what moves every tick. */
function statement(h: TenantHealth): string {
  return JSON.stringify({
    status: h.status,
    syncActive: h.syncActive,
    syncDetail: h.syncDetail,
    components: h.components.map((c) => [c.component, c.status, c.detail, c.since]),
    notShown: h.notShown,
  });
}

export interface SharedHealthDeps {
  readonly model: { snapshot(tenantId: string): TenantHealth };
  readonly snapshots: HealthSnapshotStore;
  readonly ownership: (tenantId: string) => Promise<TenantOwnershipView>;
  /** The tenants whose lease this instance holds now. */
  readonly held: () => Iterable<string>;
  readonly instanceId: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

/**
 * Component health lives in the memory of the instance running the tenant's sync. It writes its
 * snapshot to the shared store when it changes, and its time every few seconds as a heartbeat;
 * every other instance answers from that, so
 * the Health Check is the same whichever instance the load balancer picks. When no instance
 * holds the sync, or the holder stopped writing, the answer is "down": nobody syncs.
 */
export class SharedHealth {
  private timer: Cancel | undefined;
  private readonly options: SharedHealthOptions;
  /** Per tenant held: what the snapshot written last said, and when it was written whole. */
  private readonly written = new Map<string, { readonly said: string; readonly at: number }>();

  constructor(
    private readonly deps: SharedHealthDeps,
    options: Partial<SharedHealthOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_SHARED_HEALTH, ...options });
  }

  start(): void {
    const arm = (): void => {
      this.timer = this.deps.scheduler.after(this.options.publishEveryMs, () => {
        void this.publish().finally(() => this.timer && arm());
      });
    };
    void this.publish();
    arm();
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /**
   * Reports every tenant held here: the snapshot when what it says changed (or only its moving
   * parts, once per `rewriteMovingEveryMs`), else the heartbeat alone (one small update by key).
   */
  async publish(): Promise<void> {
    const held = [...this.deps.held()];
    for (const tenantId of this.written.keys()) if (!held.includes(tenantId)) this.written.delete(tenantId);
    for (const tenantId of held) {
      const now = this.deps.clock.now();
      const health = this.deps.model.snapshot(tenantId);
      const said = statement(health);
      const last = this.written.get(tenantId);
      try {
        if (
          last?.said === said &&
          now - last.at < this.options.rewriteMovingEveryMs &&
          (await this.deps.snapshots.touch(tenantId, this.deps.instanceId, now))
        )
          continue;
        this.written.delete(tenantId);
        await this.deps.snapshots.put({
          tenantId,
          holder: this.deps.instanceId,
          at: now,
          health: health as unknown as Readonly<Record<string, unknown>>,
        });
        this.written.set(tenantId, { said, at: now });
      } catch (error) {
        this.deps.logger.warn({ err: error, tenantId }, 'health snapshot not shared; other instances see it stale');
      }
    }
  }

  /** The tenant's Health Check, the same from every instance (`ownership.here` aside). */
  async answer(tenantId: string): Promise<SharedTenantHealth> {
    const ownership = await this.deps.ownership(tenantId).catch((error: unknown) => {
      // The store may be the failing component: the holder still tells what it sees (store down included).
      if ([...this.deps.held()].includes(tenantId)) return { holder: this.deps.instanceId, here: true };
      throw error;
    });
    const holder = ownership.holder;
    if (holder === this.deps.instanceId)
      return running(tenantId, this.deps.model.snapshot(tenantId) as unknown as Record<string, unknown>, ownership);
    const stored = holder ? await this.deps.snapshots.get(tenantId) : undefined;
    const fresh =
      stored !== undefined &&
      stored.holder === holder &&
      this.deps.clock.now() - stored.at <= this.options.staleAfterMs;
    if (fresh) return running(tenantId, stored.health, ownership);
    const detail = holder
      ? `instance ${holder} holds this tenant's sync but has not reported its health${
          stored?.holder === holder ? ` since ${new Date(stored.at).toISOString()}` : ''
        }: it may have stopped; another instance takes over when its lease expires`
      : 'no instance runs the sync now (waiting for one to take it over)';
    return {
      tenantId,
      status: 'down',
      syncActive: false,
      syncDetail: detail,
      components: [{ component: 'sync', status: 'down', detail, since: stored?.at ?? this.deps.clock.now() }],
      activeSyncs: [],
      latency: [],
      perMinute: [],
      ownership,
    };
  }
}

/** The holder's snapshot (its own tenant's only: the id asked for wins), saying which instance runs it. */
function running(
  tenantId: string,
  health: Readonly<Record<string, unknown>>,
  ownership: TenantOwnershipView,
): SharedTenantHealth {
  const detail = typeof health['syncDetail'] === 'string' ? health['syncDetail'] : '';
  return {
    ...health,
    tenantId,
    status: typeof health['status'] === 'string' ? health['status'] : 'down',
    syncActive: health['syncActive'] === true,
    syncDetail: ownership.holder ? `${detail} (instance ${ownership.holder})` : detail,
    components: Array.isArray(health['components']) ? (health['components'] as Record<string, unknown>[]) : [],
    ownership,
  };
}
