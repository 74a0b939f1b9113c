import type { AgentStateStore, Clock, InboxEntry, InboxStore } from '../../../src/application/ports.js';
import type { SyncEvent } from '../../../src/domain/effects.js';
import type { AgentSyncState } from '../../../src/domain/sync-state.js';

interface Row extends InboxEntry {
  processed: boolean;
  retryAt?: number;
  lastError?: string;
}

/**
 * The durable inbox in memory, with the Kysely store's semantics: idempotent append by
 * (tenant, eventId); `pending` in arrival order, where an entry waiting for its retry time holds
 * back the later entries of its agent; `complete` applies once, with the agent's state.
 */
export class MemoryInboxStore implements InboxStore {
  readonly rows: Row[] = [];
  private seq = 0;
  /** Make the next N `complete` calls throw (a store outage). */
  completeFailures = 0;

  constructor(private readonly clock: Clock, private readonly agentStates: AgentStateStore) {}

  async append(entries: readonly { tenantId: string; agentId: string; event: SyncEvent; receivedAt: number }[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      if (this.rows.some((r) => r.tenantId === e.tenantId && r.event.eventId === e.event.eventId)) continue;
      this.seq += 1;
      this.rows.push({ seq: this.seq, tenantId: e.tenantId, agentId: e.agentId, event: structuredClone(e.event), receivedAt: e.receivedAt, attempts: 0, processed: false });
      added += 1;
    }
    return added;
  }

  async pending(tenantId: string, limit: number): Promise<readonly InboxEntry[]> {
    const now = this.clock.now();
    const held = new Set<string>();
    const out: InboxEntry[] = [];
    for (const r of this.rows) {
      if (r.tenantId !== tenantId || r.processed) continue;
      if (r.retryAt !== undefined && r.retryAt > now) held.add(r.agentId);
      if (held.has(r.agentId)) continue;
      out.push({ seq: r.seq, tenantId: r.tenantId, agentId: r.agentId, event: structuredClone(r.event), receivedAt: r.receivedAt, attempts: r.attempts });
      if (out.length >= limit) break;
    }
    return out;
  }

  async complete(seq: number, tenantId: string, state: AgentSyncState): Promise<void> {
    if (this.completeFailures > 0) {
      this.completeFailures -= 1;
      throw new Error('store unavailable (injected)');
    }
    const row = this.rows.find((r) => r.seq === seq && r.tenantId === tenantId);
    if (!row || row.processed) return;
    row.processed = true;
    delete row.retryAt;
    await this.agentStates.put(tenantId, state);
  }

  async fail(seq: number, error: string, retryAt: number): Promise<void> {
    const row = this.rows.find((r) => r.seq === seq && !r.processed);
    if (!row) return;
    Object.assign(row, { attempts: row.attempts + 1, lastError: error, retryAt });
  }

  async depth(tenantId?: string): Promise<number> {
    return this.rows.filter((r) => !r.processed && (tenantId === undefined || r.tenantId === tenantId)).length;
  }

  processed(tenantId: string): readonly InboxEntry[] {
    return this.rows.filter((r) => r.tenantId === tenantId && r.processed);
  }
}
