import type { ExternalFailure, PresenceDesire, PresenceWriteOutcome, WriteUrgency } from '../../application/ports.js';
import type { Result } from '../../domain/result.js';

export type Settle = (r: Result<PresenceWriteOutcome, ExternalFailure>) => void;

/** One user's write waiting for the budget: the latest desire, everyone waiting on it, and its place in line. */
export interface Pending {
  readonly desire: PresenceDesire;
  readonly settle: Settle[];
  readonly urgency: WriteUrgency;
  /** Order of arrival (writer-wide): within a lane, lower goes first. */
  readonly seq: number;
  /** When the user's write first joined the queue (a newer desire keeps it): how long it has waited. */
  readonly queuedAt: number;
  attempts: number;
  notBefore: number;
}

const LANES: readonly WriteUrgency[] = ['change', 'correction', 'keepalive'];
const RANK: Record<WriteUrgency, number> = { change: 0, correction: 1, keepalive: 2 };

/** The more urgent of two. */
export function mostUrgent(a: WriteUrgency, b: WriteUrgency): WriteUrgency {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * Pending writes, one per user, in three lanes served in order of urgency and, within a lane, in
 * order of arrival (a Map keeps insertion order, so picking is a walk from the front).
 */
export class PresenceWriteQueue {
  readonly #byUser = new Map<string, Pending>();
  readonly #lanes = new Map<WriteUrgency, Map<string, Pending>>(LANES.map((l) => [l, new Map()]));
  #seq = 0;

  get size(): number {
    return this.#byUser.size;
  }

  /** The sequence number the next arrival gets (a write with a higher one arrived after this moment). */
  get nextSeq(): number {
    return this.#seq + 1;
  }

  get(userId: string): Pending | undefined {
    return this.#byUser.get(userId);
  }

  has(userId: string): boolean {
    return this.#byUser.has(userId);
  }

  /** Queued per lane (metrics, benches). */
  counts(): Record<WriteUrgency, number> {
    const [change, correction, keepalive] = LANES.map((l) => this.#lane(l).size) as [number, number, number];
    return { change, correction, keepalive };
  }

  /** A new desire; `keepPlace` keeps an earlier one's place in line (it supersedes that one). */
  add(desire: PresenceDesire, settle: Settle, urgency: WriteUrgency, now: number, keepPlace?: Pending): Pending {
    this.#seq += 1;
    const p: Pending = {
      desire,
      settle: [settle],
      urgency: keepPlace ? mostUrgent(keepPlace.urgency, urgency) : urgency,
      seq: keepPlace?.seq ?? this.#seq,
      queuedAt: keepPlace?.queuedAt ?? now,
      attempts: 0,
      notBefore: 0,
    };
    this.put(desire.userId, p);
    return p;
  }

  /** (Re)queue `p` for `userId`, replacing whatever was there (in its place, when it stays in the same lane). */
  put(userId: string, p: Pending): void {
    const prior = this.#byUser.get(userId);
    if (prior && prior.urgency !== p.urgency) this.#lane(prior.urgency).delete(userId);
    this.#byUser.set(userId, p);
    this.#lane(p.urgency).set(userId, p);
  }

  delete(userId: string): void {
    const p = this.#byUser.get(userId);
    if (!p) return;
    this.#byUser.delete(userId);
    this.#lane(p.urgency).delete(userId);
  }

  values(): IterableIterator<Pending> {
    return this.#byUser.values();
  }

  clear(): void {
    this.#byUser.clear();
    for (const lane of this.#lanes.values()) lane.clear();
  }

  /** Pending writes in serving order: lanes by urgency, each by arrival. */
  *ordered(): Generator<[string, Pending]> {
    for (const lane of LANES) yield* this.#lane(lane).entries();
  }

  /** The lowest sequence number waiting (each lane's first; a retried write put back may hide an older one). */
  oldestSeq(): number | undefined {
    let oldest: number | undefined;
    for (const lane of LANES) {
      const first = this.#lane(lane).values().next();
      if (!first.done && (oldest === undefined || first.value.seq < oldest)) oldest = first.value.seq;
    }
    return oldest;
  }

  #lane(l: WriteUrgency): Map<string, Pending> {
    return this.#lanes.get(l)!;
  }
}
