import type { FieldVariant } from './cxone-faults.js';
import type { CxoneModel } from './cxone-model.js';
import { agentStateRecord } from './cxone-records.js';

/** Replay faults reach back at most this many changes (the fault suites use up to 2). */
export const DEFAULT_FEED_HISTORY_DEPTH = 9;

/**
 * Each agent's last few agent-state records as the Real-Time API showed them at the time, so the
 * feed can replay one (a duplicate, or an older record after a newer one: reference §9.8).
 * Bounded at `depth` records per agent, about 300 bytes each: 10,000 agents fill ~27 MB, and
 * only after each has changed `depth` times (the soak's agents take ~25 min), so a run that
 * injects no replays sets the depth to 0 rather than measure this filling up.
 */
export class CxoneFeedHistory {
  private readonly records = new Map<number, Record<string, unknown>[]>();

  constructor(model: CxoneModel, variant: () => FieldVariant, depth = DEFAULT_FEED_HISTORY_DEPTH) {
    if (depth <= 0) return;
    model.observe((change) => {
      if (change.kind !== 'state') return;
      const list = this.records.get(change.agentId) ?? [];
      list.push(agentStateRecord(model, change.agentId, variant(), model.clock.now()));
      if (list.length > depth) list.shift();
      this.records.set(change.agentId, list);
    });
  }

  /** Records held (all agents), for the soak's report of emulator memory. */
  get size(): number {
    let n = 0;
    for (const list of this.records.values()) n += list.length;
    return n;
  }

  /** The record `back` changes ago (0 = the latest), if the agent changed that often. */
  recordOf(agentId: number, back: number): Record<string, unknown> | undefined {
    const list = this.records.get(agentId) ?? [];
    return list[list.length - 1 - back];
  }
}
