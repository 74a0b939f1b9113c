import type { Cancel, LeaseStore, Logger, Scheduler, TenantSignalStore, TenantStore } from '../ports.js';
import type { Tenant } from '../../domain/tenant.js';
import type { TenantPorts } from './tenant-runtime.js';

/** Lease timing. The TTL must cover a few missed renewals; a dead holder is replaced after it. */
export interface TenantOwnershipOptions {
  readonly leaseTtlMs: number;
  readonly renewEveryMs: number;
}

export const DEFAULT_TENANT_OWNERSHIP: TenantOwnershipOptions = Object.freeze({
  leaseTtlMs: 30_000,
  renewEveryMs: 10_000,
});

/** The part of the engine ownership drives. */
export interface OwnedEngine {
  addTenant(ports: TenantPorts, opts?: { readonly startFeed?: boolean }): Promise<void>;
  removeTenant(tenantId: string): Promise<void>;
  isRunning(tenantId: string): boolean;
}

export interface TenantOwnershipDeps {
  readonly leases: LeaseStore;
  readonly tenants: TenantStore;
  /**
   * The tenants' `connection` signals, raised by whichever instance saves a CXone connection: the
   * holder rebuilds the tenant's adapters on the new one (they are built once, at take-up).
   */
  readonly signals: Pick<TenantSignalStore, 'versions'>;
  readonly engine: OwnedEngine;
  /** Builds the tenant's adapters (compose.ts); undefined when the tenant is not connected yet. */
  readonly portsFor: (tenant: Tenant) => Promise<TenantPorts | undefined>;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** This process, unique among the instances (host + pid + random). */
  readonly instanceId: string;
  /** Called once the lease is won and before the tenant's sync starts here (trace the takeover, remember when). */
  readonly onTakeUp?: (tenantId: string) => Promise<void>;
  /**
   * True only when the holder is known to be gone (e.g. a process of this host that no longer
   * runs): its lease is taken at once instead of after its TTL. Unsure means false.
   */
  readonly holderIsGone?: (holder: string) => boolean;
}

/**
 * With several instances behind a load balancer, each tenant's sync runs on exactly one of them:
 * the holder of the lease `sync:<tenantId>`. Any instance accepts webhooks into the shared inbox;
 * the holder processes it. When the holder dies, another takes over once the lease expires.
 */
export class TenantOwnership {
  private timer: Cancel | undefined;
  private readonly options: TenantOwnershipOptions;
  private readonly heldNow = new Set<string>();
  /** The `connection` signal each running tenant's adapters were built at. */
  private readonly builtAt = new Map<string, number>();

  constructor(
    private readonly deps: TenantOwnershipDeps,
    options: Partial<TenantOwnershipOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_TENANT_OWNERSHIP, ...options });
  }

  /** Claims / renews / gives up tenants once; then every `renewEveryMs` until stop. */
  async start(): Promise<void> {
    await this.round();
    const arm = (): void => {
      this.timer = this.deps.scheduler.after(
        this.options.renewEveryMs,
        () => void this.round().finally(() => this.timer && arm()),
      );
    };
    arm();
  }

  /** Stops the owned tenants and releases their leases so another instance takes over at once. */
  async stop(): Promise<void> {
    this.timer?.();
    this.timer = undefined;
    for (const tenant of await this.deps.tenants.list()) {
      if (!this.deps.engine.isRunning(tenant.id)) continue;
      await this.deps.engine.removeTenant(tenant.id);
      await this.deps.leases.release(leaseName(tenant.id), this.deps.instanceId);
    }
    this.heldNow.clear();
  }

  /** The tenants whose lease this instance held at its last round (connected or not). */
  held(): readonly string[] {
    return [...this.heldNow];
  }

  async round(): Promise<void> {
    try {
      const tenants = await this.deps.tenants.list();
      // One read for every tenant, before any is built: a save racing a build rebuilds once more, never misses.
      const connections = await this.deps.signals.versions(
        'connection',
        tenants.map((t) => t.id),
      );
      for (const tenant of tenants) await this.claim(tenant, connections.get(tenant.id) ?? 0);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'tenant ownership round failed; retried next period');
    }
  }

  private async claim(tenant: Tenant, connection: number): Promise<void> {
    let running = this.deps.engine.isRunning(tenant.id);
    const held =
      (await this.deps.leases.acquire(leaseName(tenant.id), this.deps.instanceId, this.options.leaseTtlMs)) ||
      (await this.fromGoneHolder(tenant));
    if (held) this.heldNow.add(tenant.id);
    else this.heldNow.delete(tenant.id);
    const rebuild = held && running && (this.builtAt.get(tenant.id) ?? 0) < connection;
    if (rebuild) {
      // The feed, the writer and the subscriptions still use the old credentials (or business unit):
      // stop them (entries in flight end first) and start again on what is stored now.
      this.deps.logger.info(
        { tenantId: tenant.id, instanceId: this.deps.instanceId },
        'the tenant’s CXone connection was saved again: its sync restarts here on the stored one',
      );
      await this.deps.engine.removeTenant(tenant.id);
      running = false;
    }
    if (held && !running) {
      const ports = await this.deps.portsFor(tenant);
      if (!ports) return;
      this.builtAt.set(tenant.id, connection);
      if (!rebuild) {
        this.deps.logger.info({ tenantId: tenant.id, instanceId: this.deps.instanceId }, 'took over tenant sync');
        await this.deps
          .onTakeUp?.(tenant.id)
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: error, tenantId: tenant.id }, 'takeover not announced'),
          );
      }
      await this.deps.engine.addTenant(ports, { startFeed: true });
    } else if (!held && running) {
      this.deps.logger.warn(
        { tenantId: tenant.id, instanceId: this.deps.instanceId },
        'lost the tenant lease; stopping its sync here',
      );
      await this.deps.engine.removeTenant(tenant.id);
    }
  }

  /**
   * A restart after a crash (SIGKILL, OOM) would otherwise leave the tenant unsynced until the dead
   * process's lease expires (LEASE_TTL_MS): the one store, one instance case waits for nobody.
   */
  private async fromGoneHolder(tenant: Tenant): Promise<boolean> {
    if (!this.deps.holderIsGone) return false;
    const name = leaseName(tenant.id);
    const holder = await this.deps.leases.holder(name);
    if (holder === undefined || holder === this.deps.instanceId || !this.deps.holderIsGone(holder)) return false;
    const taken = await this.deps.leases.takeOver(name, holder, this.deps.instanceId, this.options.leaseTtlMs);
    if (taken)
      this.deps.logger.info(
        { tenantId: tenant.id, instanceId: this.deps.instanceId, previous: holder },
        'the lease holder is gone (its process no longer runs on this host): lease taken without waiting for it to expire',
      );
    return taken;
  }
}

/** The lease that says which instance runs a tenant's sync. */
export const leaseName = (tenantId: string): string => `sync:${tenantId}`;
