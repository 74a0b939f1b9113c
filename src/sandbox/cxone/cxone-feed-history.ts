import type { FieldVariant } from './cxone-faults.js';
import type { CxoneModel } from './cxone-model.js';
import { agentStateRecord } from './cxone-records.js';

const KEPT = 9;

/**
 * Each agent's last few agent-state records as the Real-Time API showed them at the time, so the
 * feed can replay one (a duplicate, or an older record after a newer one: reference §9.8).
 */
export class CxoneFeedHistory {
  private readonly records = new Map<number, Record<string, unknown>[]>();

  constructor(model: CxoneModel, variant: () => FieldVariant) {
    model.observe((change) => {
      if (change.kind !== 'state') return;
      const list = this.records.get(change.agentId) ?? [];
      list.push(agentStateRecord(model, change.agentId, variant(), model.clock.now()));
      if (list.length > KEPT) list.shift();
      this.records.set(change.agentId, list);
    });
  }

  /** The record `back` changes ago (0 = the latest), if the agent changed that often. */
  recordOf(agentId: number, back: number): Record<string, unknown> | undefined {
    const list = this.records.get(agentId) ?? [];
    return list[list.length - 1 - back];
  }
}
