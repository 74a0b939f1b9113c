import type { Kysely } from 'kysely';
import type { RateWindowStore } from '../../application/ports.js';
import type { Database } from './kysely-schema.js';

/**
 * One row per key and window. `hit` is a single INSERT … ON CONFLICT DO UPDATE count = count + 1
 * … RETURNING: both PostgreSQL and SQLite apply racing upserts of one row one after the other, so
 * concurrent requests on several instances each see a distinct count.
 */
export class KyselyRateWindowStore implements RateWindowStore {
  constructor(private readonly db: Kysely<Database>) {}

  async hit(key: string, windowStart: number): Promise<number> {
    const row = await this.db
      .insertInto('api_rate_windows')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('api_rate_windows.count', '+', 1) })),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async purge(before: number): Promise<number> {
    const res = await this.db.deleteFrom('api_rate_windows').where('window_start', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
