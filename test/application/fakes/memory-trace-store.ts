import type { TraceEvent, TraceQuery, TraceStore } from '../../../src/application/ports.js';

/** Trace events in memory; `query` returns the latest `limit` matches, oldest first (like Kysely's). */
export class MemoryTraceStore implements TraceStore {
  events: TraceEvent[] = [];
  private readonly ids = new Set<string>();
  appendCalls = 0;
  /** Make the next N appends throw. */
  appendFailures = 0;

  constructor(private readonly copy: <T>(v: T) => T = (v) => structuredClone(v)) {}

  async append(events: readonly TraceEvent[]): Promise<void> {
    this.appendCalls += 1;
    if (this.appendFailures > 0) {
      this.appendFailures -= 1;
      throw new Error('trace store unavailable (injected)');
    }
    for (const e of events) {
      const key = `${e.tenantId}\u0000${e.id}`;
      if (this.ids.has(key)) continue;
      this.ids.add(key);
      this.events.push(this.copy(e));
    }
  }

  async query(q: TraceQuery): Promise<readonly TraceEvent[]> {
    const matches = this.events
      .map((e, i) => ({ e, i }))
      .filter(
        ({ e }) =>
          e.tenantId === q.tenantId &&
          (q.agentId === undefined || e.agentId === q.agentId) &&
          (q.traceId === undefined || e.traceId === q.traceId) &&
          (q.from === undefined || e.at >= q.from) &&
          (q.to === undefined || e.at <= q.to),
      )
      .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
      .map(({ e }) => e);
    return matches.slice(-q.limit);
  }

  async prune(olderThan: number, maxPerTenant: number, olderThanFor?: ReadonlyMap<string, number>): Promise<number> {
    const before = this.events.length;
    const kept = this.events.filter((e) => e.at >= (olderThanFor?.get(e.tenantId) ?? olderThan));
    const byTenant = new Map<string, TraceEvent[]>();
    for (const e of kept) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
    this.events = [...byTenant.values()].flatMap((list) => list.sort((a, b) => a.at - b.at).slice(-maxPerTenant));
    const keptIds = new Set(this.events.map((e) => `${e.tenantId}\u0000${e.id}`));
    for (const key of [...this.ids]) if (!keptIds.has(key)) this.ids.delete(key);
    return before - this.events.length;
  }
}
