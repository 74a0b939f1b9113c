import { z } from 'zod';
import type { Clock, ExternalFailure, ObservedPresence } from '../../application/ports.js';
import { err, ok, type Result } from '../../domain/result.js';
import { parseRetryAfter } from '../shared/external-failure.js';
import { batchItemFailure } from './graph-batch.js';
import type { GraphHttpClient } from './graph-http-client.js';
import type { PresenceBudget, Reservation } from './presence-budget.js';

/** §1.1/§1.2: keep unknown values as strings; sequenceNumber is optional. */
export const PresenceResource = z.object({
  id: z.string(),
  availability: z.string(),
  activity: z.string(),
  sequenceNumber: z.string().nullish(),
});
const PresenceList = z.object({ value: z.array(PresenceResource) });

const CHUNK = 650;
const MAX_THROTTLED_TRIES = 10;

export function toObserved(p: z.infer<typeof PresenceResource>): ObservedPresence {
  return {
    userId: p.id,
    presence: { availability: p.availability, activity: p.activity },
    ...(p.sequenceNumber ? { sequenceNumber: p.sequenceNumber } : {}),
  };
}

/** getPresencesByUserId in chunks of ≤ 650 ids (reference graph-presence.md §1.3), inside the presence budget. */
export class GraphPresenceReader {
  constructor(
    private readonly graph: GraphHttpClient,
    private readonly budget: PresenceBudget,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async read(userIds: readonly string[]): Promise<Result<readonly ObservedPresence[], ExternalFailure>> {
    const out: ObservedPresence[] = [];
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const chunk = await this.#chunk(userIds.slice(i, i + CHUNK));
      if (!chunk.ok) return chunk;
      out.push(...chunk.value);
    }
    return ok(out);
  }

  async #chunk(ids: readonly string[]): Promise<Result<readonly ObservedPresence[], ExternalFailure>> {
    for (let attempt = 0; ; attempt += 1) {
      const reservation = await this.#admit();
      const r = await this.graph
        .request('POST', '/communications/getPresencesByUserId', { ids })
        .finally(() => reservation.settle(this.clock.now()));
      if (!r.ok) return r;
      const now = this.clock.now();
      if (r.value.status === 429 && attempt < MAX_THROTTLED_TRIES) {
        this.budget.pauseUntil(now + (parseRetryAfter(r.value.headers['retry-after'], now) ?? 1000 * 2 ** attempt));
        continue;
      }
      if (r.value.status !== 200) return err(batchItemFailure(r.value));
      const parsed = PresenceList.safeParse(r.value.body);
      if (!parsed.success)
        return err({
          system: 'graph',
          status: 200,
          code: 'BAD_RESPONSE',
          message: 'getPresencesByUserId answered an unexpected shape',
          transient: false,
        });
      return ok(parsed.data.value.map(toObserved));
    }
  }

  async #admit(): Promise<Reservation> {
    for (;;) {
      const now = this.clock.now();
      if (this.budget.available(now) > 0) return this.budget.reserve(1);
      await this.sleep(this.budget.waitMs(now));
    }
  }
}
