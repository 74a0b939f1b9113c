import type { Cancel, Clock, LifecycleEvent, LifecycleEventStore, Logger, Scheduler } from '../ports.js';

/** How the owner picks up lifecycle events other instances received. */
export interface LifecycleRelayOptions {
  /** The owner reads the events of its tenants this often. */
  readonly pollMs: number;
  /** Handled events are kept this long (what happened, for a look in the database), then purged. */
  readonly keepHandledMs: number;
}

export const DEFAULT_LIFECYCLE_RELAY: LifecycleRelayOptions = Object.freeze({
  pollMs: 1_000,
  keepHandledMs: 24 * 60 * 60_000,
});

/** Acts on one event: reauthorize (renew) or recreate the subscription; the tenant's subscription registry. */
export type LifecycleHandler = (subscriptionId: string, event: string) => Promise<void>;

export interface LifecycleRelayDeps {
  readonly events: LifecycleEventStore;
  /** The handler of a tenant whose sync runs here; undefined for the others. */
  readonly handlerFor: (tenantId: string) => LifecycleHandler | undefined;
  /** The tenants whose sync runs here. */
  readonly running: () => Iterable<string>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

/**
 * Graph sends a subscription's lifecycle events (reauthorizationRequired, subscriptionRemoved,
 * missed) to whichever instance the load balancer picks, but only the instance running the
 * tenant's sync holds its subscription registry. Every event goes to the shared store before
 * Graph gets its 202; the owner acts on it at once when the event landed on it, otherwise at its
 * next read of the store (every `pollMs`), and marks it handled after acting, so an owner dying
 * in between leaves it to the next owner (a renewal done twice is harmless; one not done holds
 * Graph's notifications back until the subscription expires).
 */
export class LifecycleRelay {
  private timer: Cancel | undefined;
  private readonly draining = new Map<string, Promise<void>>();
  private lastPurge = 0;
  private readonly options: LifecycleRelayOptions;

  constructor(
    private readonly deps: LifecycleRelayDeps,
    options: Partial<LifecycleRelayOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_LIFECYCLE_RELAY, ...options });
  }

  /** Stores the events (throws when the store cannot: Graph must redeliver), then lets a local owner act. */
  async accept(events: readonly LifecycleEvent[]): Promise<void> {
    const receivedAt = this.deps.clock.now();
    for (const e of events)
      await this.deps.events.add({
        tenantId: e.tenantId,
        subscriptionId: e.subscriptionId,
        event: e.event,
        receivedAt,
      });
    for (const tenantId of new Set(events.map((e) => e.tenantId))) {
      if (this.deps.handlerFor(tenantId)) void this.drain(tenantId);
      else
        this.deps.logger.info(
          { tenantId, events: events.filter((e) => e.tenantId === tenantId).length },
          'lifecycle event for a tenant another instance runs: stored for its owner',
        );
    }
  }

  start(): void {
    const arm = (): void => {
      this.timer = this.deps.scheduler.after(this.options.pollMs, () => {
        void this.round().finally(() => this.timer && arm());
      });
    };
    arm();
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /** Acts on the tenant's stored events (one drain per tenant at a time). */
  drain(tenantId: string): Promise<void> {
    const running = this.draining.get(tenantId);
    if (running) return running.then(() => this.drain(tenantId));
    const work = this.drainOnce(tenantId).finally(() => this.draining.delete(tenantId));
    this.draining.set(tenantId, work);
    return work;
  }

  private async round(): Promise<void> {
    for (const tenantId of [...this.deps.running()]) await this.drain(tenantId);
    const now = this.deps.clock.now();
    if (now - this.lastPurge < 60 * 60_000) return;
    this.lastPurge = now;
    await this.deps.events
      .purge(now - this.options.keepHandledMs)
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'handled lifecycle events not purged'));
  }

  private async drainOnce(tenantId: string): Promise<void> {
    const handler = this.deps.handlerFor(tenantId);
    if (!handler) return;
    try {
      for (const e of await this.deps.events.pending(tenantId, 50)) {
        const log = { tenantId, subscriptionId: e.subscriptionId, event: e.event };
        try {
          await handler(e.subscriptionId, e.event);
          this.deps.logger.info(
            { ...log, waitedMs: this.deps.clock.now() - e.receivedAt },
            'lifecycle event acted on by the tenant owner',
          );
        } catch (error) {
          // Renewal and reconciliation repair the subscription later; retrying here every second would not help more.
          this.deps.logger.warn({ ...log, err: error }, 'lifecycle event failed; renewal and reconciliation repair it');
        }
        await this.deps.events.handled(tenantId, e.seq, this.deps.clock.now());
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, tenantId }, 'lifecycle events not read; retried next round');
    }
  }
}
