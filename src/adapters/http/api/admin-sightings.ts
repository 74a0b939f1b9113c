import type { Clock, Logger, TenantAdmin, TenantAdminStore } from '../../../application/ports.js';
import type { Caller, SsoVerifier } from './sso-token-verifier.js';

/** Options of {@link AdminSightings}. */
export interface AdminSightingsOptions {
  /** A known admin's sighting is written again at most this often (default one day). */
  readonly refreshMs?: number;
  /** Callers remembered in memory (beyond it the memory starts over: one more write each). */
  readonly maxRemembered?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Learns the tenant admins from the SSO tokens the tab API verifies: the bot, which sees no
 * token, alerts the conversations admins installed it in. Cheap on the hot path: a store write
 * only on the first sight of a caller per process, then once a day; never on the request's path
 * (a failed write is logged, the request is unaffected).
 */
export class AdminSightings {
  private readonly recorded = new Map<string, { readonly at: number; readonly access: Caller['access'] }>();
  private readonly refreshMs: number;
  private readonly maxRemembered: number;

  constructor(
    private readonly deps: { readonly admins: TenantAdminStore; readonly clock: Clock; readonly logger: Logger },
    options: AdminSightingsOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? DAY_MS;
    this.maxRemembered = options.maxRemembered ?? 10_000;
  }

  /** The verifier, recording every verified caller on the way through. */
  wrap(verifier: SsoVerifier): SsoVerifier {
    return async (authorization) => {
      const result = await verifier(authorization);
      if (result.ok) void this.seen(result.value);
      return result;
    };
  }

  /**
   * A verified caller. An admin or support user is recorded (or refreshed) with that role; a
   * caller without a role is removed (it may have been unassigned since), once per process and day too.
   */
  async seen(
    caller: Pick<Caller, 'tenantId' | 'userId' | 'name' | 'access'>,
    source: TenantAdmin['source'] = 'sso',
  ): Promise<void> {
    if (!caller.tenantId || !caller.userId) return;
    const key = `${caller.tenantId}/${caller.userId}`;
    const now = this.deps.clock.now();
    const access = caller.access;
    const last = this.recorded.get(key);
    if (last && last.access === access && now - last.at < this.refreshMs) return;
    this.remember(key, now, access);
    try {
      if (access !== 'none')
        await this.deps.admins.record({
          tenantId: caller.tenantId,
          aadObjectId: caller.userId,
          name: caller.name,
          source,
          role: access,
          lastSeen: now,
        });
      else await this.deps.admins.remove(caller.tenantId, caller.userId);
    } catch (e) {
      this.recorded.delete(key);
      this.deps.logger.warn(
        { tenantId: caller.tenantId, err: e instanceof Error ? e.message : String(e) },
        'could not record a tenant admin sighting',
      );
    }
  }

  private remember(key: string, at: number, access: Caller['access']): void {
    if (this.recorded.size >= this.maxRemembered) this.recorded.clear();
    this.recorded.set(key, { at, access });
  }
}
