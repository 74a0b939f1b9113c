import type { Clock, TenantSignal, TenantSignalStore } from '../ports.js';

/**
 * Whether a tenant's signal was raised (by any instance) since this process last looked, read at
 * most once per `pollMs` per tenant: callers on a request path ask on every request and cost the
 * store one keyed read a second at most. The first look only notes where the signal stands.
 */
export class SignalFollower {
  readonly #seen = new Map<string, { version: number; readAt: number }>();
  readonly #reading = new Map<string, Promise<boolean>>();

  constructor(
    private readonly deps: { readonly signals: TenantSignalStore; readonly clock: Clock },
    private readonly signal: TenantSignal,
    private readonly pollMs: number,
  ) {}

  /** True once per raise seen; false while the last read is younger than `pollMs` or the store cannot answer. */
  raisedSince(tenantId: string): Promise<boolean> {
    const seen = this.#seen.get(tenantId);
    if (seen && this.deps.clock.now() - seen.readAt < this.pollMs) return Promise.resolve(false);
    const running = this.#reading.get(tenantId);
    if (running) return running.then(() => false);
    const read = this.read(tenantId, seen?.version).finally(() => this.#reading.delete(tenantId));
    this.#reading.set(tenantId, read);
    return read;
  }

  private async read(tenantId: string, before: number | undefined): Promise<boolean> {
    const readAt = this.deps.clock.now();
    // A store that cannot answer is reported by the request's own reads; the cache stands until it can.
    const versions = await this.deps.signals.versions(this.signal, [tenantId]).catch(() => undefined);
    if (!versions) return false;
    const version = versions.get(tenantId) ?? 0;
    this.#seen.set(tenantId, { version, readAt });
    return before !== undefined && version > before;
  }
}
