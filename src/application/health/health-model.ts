import type { Cancel, Clock, HealthComponent, HealthReporter, HealthStatus, Scheduler } from '../ports.js';
import {
  SyncActivity,
  type ActiveSync,
  type LatencySummary,
  type MinuteVolume,
  type NotShownSummary,
} from './sync-activity.js';

export interface ComponentHealth {
  readonly component: HealthComponent;
  readonly status: HealthStatus;
  readonly detail: string;
  /** Since when the component has had this status. */
  readonly since: number;
  readonly lastSuccess?: number;
}

/** A settled status change (after the debounce), for proactive alerts. */
export interface HealthTransition {
  readonly tenantId: string;
  readonly component: HealthComponent;
  readonly from: HealthStatus | 'unknown';
  readonly to: HealthStatus;
  readonly detail: string;
  /** When the transition was announced, after the debounce. */
  readonly at: number;
  /** When the component entered `to` (what an alert tells: the failure began then). */
  readonly since: number;
}

export interface TenantHealth {
  readonly tenantId: string;
  /** The worst component status. */
  readonly status: HealthStatus;
  readonly syncActive: boolean;
  readonly syncDetail: string;
  readonly components: readonly ComponentHealth[];
  readonly activeSyncs: readonly ActiveSync[];
  readonly latency: readonly LatencySummary[];
  /** Sync volume and latency per minute over the last hour (60 entries). */
  readonly perMinute: readonly MinuteVolume[];
  /** Presence writes Teams could not show: the user's own status outranked our session. */
  readonly notShown: NotShownSummary;
}

/** Health model tuning. */
export interface HealthModelOptions {
  /** A status must hold this long before a transition is announced (flaps are not alerts). */
  readonly alertDebounceMs: number;
}

interface Tracked {
  current: ComponentHealth;
  announced: HealthStatus | 'unknown';
  pending?: Cancel;
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * Component health per tenant, fed by HealthReporter signals from the engine and the adapters;
 * announces settled transitions to listeners (the bot's proactive alerts).
 */
export class HealthModel {
  readonly activity: SyncActivity;
  private readonly tenants = new Map<string, Map<HealthComponent, Tracked>>();
  private readonly sync = new Map<string, { active: boolean; detail: string }>();
  private readonly listeners = new Set<(t: HealthTransition) => void>();
  /** What the admins were last told of a tenant's components, before this instance tracked them. */
  private readonly told = new Map<string, ReadonlyMap<string, HealthStatus>>();

  constructor(
    private readonly deps: { readonly clock: Clock; readonly scheduler: Scheduler },
    private readonly options: HealthModelOptions = { alertDebounceMs: 60_000 },
  ) {
    this.activity = new SyncActivity(deps.clock);
  }

  /** The reporter adapters and the engine use for one tenant. */
  reporter(tenantId: string): HealthReporter {
    return {
      report: (component, status, detail, options) =>
        this.set(tenantId, component, status, detail, false, options?.confirmed === true && status !== 'ok'),
      success: (component, detail) => this.set(tenantId, component, 'ok', detail ?? 'OK', true),
    };
  }

  /**
   * A tenant taken over from another instance: its alerts announced `told` (component → status).
   * A component is then compared with that instead of "unknown": still down is no new alert, ok
   * again is a recovery to announce (a first healthy report would otherwise pass unannounced).
   */
  remember(tenantId: string, told: ReadonlyMap<string, HealthStatus>): void {
    this.told.set(tenantId, told);
    // Components this instance tracked in an earlier stint as owner: what it announced then is stale.
    for (const entry of this.tenants.get(tenantId)?.values() ?? []) {
      entry.announced = told.get(entry.current.component) ?? 'unknown';
      this.settle(tenantId, entry);
    }
  }

  onTransition(listener: (t: HealthTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSyncActive(tenantId: string, active: boolean, detail: string): void {
    this.sync.set(tenantId, { active, detail });
  }

  components(tenantId: string): readonly ComponentHealth[] {
    return [...(this.tenants.get(tenantId)?.values() ?? [])].map((t) => t.current);
  }

  snapshot(tenantId: string): TenantHealth {
    const components = this.components(tenantId);
    const worst = components.reduce<HealthStatus>((w, c) => (RANK[c.status] > RANK[w] ? c.status : w), 'ok');
    const sync = this.sync.get(tenantId) ?? { active: false, detail: 'sync not started' };
    return {
      tenantId,
      status: worst,
      syncActive: sync.active,
      syncDetail: sync.detail,
      components,
      activeSyncs: this.activity.active(tenantId),
      latency: this.activity.latency(tenantId),
      perMinute: this.activity.perMinute(tenantId),
      notShown: this.activity.notShown(tenantId),
    };
  }

  private set(
    tenantId: string,
    component: HealthComponent,
    status: HealthStatus,
    detail: string,
    succeeded: boolean,
    confirmed = false,
  ): void {
    const now = this.deps.clock.now();
    const tracked = this.tracked(tenantId, component);
    const previous = tracked?.current;
    const changed = previous?.status !== status;
    const current: ComponentHealth = {
      component,
      status,
      detail,
      since: changed || !previous ? now : previous.since,
      ...(succeeded
        ? { lastSuccess: now }
        : previous?.lastSuccess !== undefined
          ? { lastSuccess: previous.lastSuccess }
          : {}),
    };
    const entry: Tracked = tracked ?? { current, announced: this.told.get(tenantId)?.get(component) ?? 'unknown' };
    entry.current = current;
    this.tenants.get(tenantId)?.set(component, entry);
    if (changed && confirmed) this.announce(tenantId, entry);
    else if (changed) this.settle(tenantId, entry);
  }

  private tracked(tenantId: string, component: HealthComponent): Tracked | undefined {
    let components = this.tenants.get(tenantId);
    if (!components) {
      components = new Map();
      this.tenants.set(tenantId, components);
    }
    return components.get(component);
  }

  private settle(tenantId: string, entry: Tracked): void {
    entry.pending?.();
    entry.pending = undefined;
    const target = entry.current.status;
    if (target === entry.announced) return;
    if (entry.announced === 'unknown' && target === 'ok') {
      entry.announced = 'ok';
      return;
    }
    entry.pending = this.deps.scheduler.after(this.options.alertDebounceMs, () => {
      entry.pending = undefined;
      if (entry.current.status === target) this.announce(tenantId, entry);
    });
  }

  /** Tells the listeners the component's current status (when it differs from the one last told). */
  private announce(tenantId: string, entry: Tracked): void {
    entry.pending?.();
    entry.pending = undefined;
    if (entry.current.status === entry.announced) return;
    const transition: HealthTransition = {
      tenantId,
      component: entry.current.component,
      from: entry.announced,
      to: entry.current.status,
      detail: entry.current.detail,
      at: this.deps.clock.now(),
      since: entry.current.since,
    };
    entry.announced = entry.current.status;
    for (const listener of [...this.listeners]) listener(transition);
  }
}
