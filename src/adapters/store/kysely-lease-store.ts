import type { Kysely } from 'kysely';
import type { Clock, LeaseStore } from '../../application/ports.js';
import type { Database } from './kysely-schema.js';

/**
 * Leases as one row per name. `acquire` is a single INSERT … ON CONFLICT DO UPDATE … WHERE
 * (the holder renews, or anyone takes an expired lease) … RETURNING: PostgreSQL resolves racing
 * upserts of one key row by row under the row lock, so of many concurrent acquirers exactly one
 * sees a row come back. Expiry uses the injected clock, so instances need roughly synced clocks
 * (NTP); keep ttl well above the expected skew.
 */
export class KyselyLeaseStore implements LeaseStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.db
      .insertInto('leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', now)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async takeOver(name: string, from: string, holder: string, ttlMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('leases')
      .set({ holder, expires_at: this.clock.now() + ttlMs })
      .where('name', '=', name)
      .where('holder', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async holder(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('leases')
      .select('holder')
      .where('name', '=', name)
      .where('expires_at', '>', this.clock.now())
      .executeTakeFirst();
    return row?.holder;
  }
}
