import type { AgentStateStore, Clock, InboxAppend, InboxEntry, InboxStore } from '../../../src/application/ports.js';
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
  // Indexes keep the fake O(pending) rather than O(history), so the engine benchmark measures the engine.
  private readonly keys = new Set<string>();
  private readonly open = new Map<string, Row[]>();
  private readonly bySeq = new Map<number, Row>();
  /** Make the next N `complete` calls throw (a store outage). */
  completeFailures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly agentStates: AgentStateStore,
    private readonly copy: <T>(v: T) => T = (v) => structuredClone(v),
  ) {}

  async append(entries: readonly InboxAppend[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      const key = `${e.tenantId}\u0000${e.event.eventId}`;
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      this.seq += 1;
      const row: Row = {
        seq: this.seq,
        tenantId: e.tenantId,
        agentId: e.agentId,
        event: this.copy(e.event),
        receivedAt: e.receivedAt,
        attempts: 0,
        processed: false,
        ...(e.sealed ? { sealed: this.copy(e.sealed) } : {}),
      };
      this.rows.push(row);
      this.bySeq.set(row.seq, row);
      const open = this.open.get(e.tenantId) ?? [];
      open.push(row);
      this.open.set(e.tenantId, open);
      added += 1;
    }
    return added;
  }

  async receivedAt(tenantId: string, eventIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const wanted = new Set(eventIds);
    return new Map(
      this.rows
        .filter((r) => r.tenantId === tenantId && wanted.has(r.event.eventId))
        .map((r) => [r.event.eventId, r.receivedAt]),
    );
  }

  async pending(tenantId: string, limit: number, afterSeq?: number): Promise<readonly InboxEntry[]> {
    const now = this.clock.now();
    const held = new Set<string>();
    const out: InboxEntry[] = [];
    for (const r of this.open.get(tenantId) ?? []) {
      if (r.retryAt !== undefined && r.retryAt > now) held.add(r.agentId);
      if (held.has(r.agentId) || (afterSeq !== undefined && r.seq <= afterSeq)) continue;
      out.push({
        seq: r.seq,
        tenantId: r.tenantId,
        agentId: r.agentId,
        event: this.copy(r.event),
        receivedAt: r.receivedAt,
        attempts: r.attempts,
        ...(r.sealed ? { sealed: this.copy(r.sealed) } : {}),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async complete(seq: number, tenantId: string, state: AgentSyncState): Promise<void> {
    if (this.completeFailures > 0) {
      this.completeFailures -= 1;
      throw new Error('store unavailable (injected)');
    }
    const row = this.bySeq.get(seq);
    if (!row || row.tenantId !== tenantId || row.processed) return;
    row.processed = true;
    delete row.retryAt;
    const open = this.open.get(tenantId) ?? [];
    open.splice(open.indexOf(row), 1);
    await this.agentStates.put(tenantId, state);
  }

  async fail(seq: number, error: string, retryAt: number): Promise<void> {
    const row = this.bySeq.get(seq);
    if (!row || row.processed) return;
    Object.assign(row, { attempts: row.attempts + 1, lastError: error, retryAt });
  }

  async depth(tenantId?: string): Promise<number> {
    if (tenantId !== undefined) return this.open.get(tenantId)?.length ?? 0;
    return [...this.open.values()].reduce((n, list) => n + list.length, 0);
  }

  async pendingByAgent(tenantId: string, limit: number): Promise<ReadonlyMap<string, number>> {
    const out = new Map<string, number>();
    for (const r of this.open.get(tenantId) ?? []) {
      if (!out.has(r.agentId) && out.size >= limit) continue;
      out.set(r.agentId, (out.get(r.agentId) ?? 0) + 1);
    }
    return out;
  }

  processed(tenantId: string): readonly InboxEntry[] {
    return this.rows.filter((r) => r.tenantId === tenantId && r.processed);
  }
}
