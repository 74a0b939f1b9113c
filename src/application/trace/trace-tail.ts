import type { TraceEvent } from '../ports.js';

export type TraceListener = (event: TraceEvent) => void;

/**
 * In-process pub/sub of trace events as they are recorded: the Log Reader's live view (the HTTP
 * SSE route subscribes per agent). A throwing listener is dropped, never breaks recording.
 */
export class TraceTail {
  private readonly listeners = new Map<string, Set<TraceListener>>();

  /** Follow one agent of one tenant; returns the unsubscribe function. */
  subscribe(tenantId: string, agentId: string, listener: TraceListener): () => void {
    const key = TraceTail.key(tenantId, agentId);
    const set = this.listeners.get(key) ?? new Set<TraceListener>();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  publish(event: TraceEvent): void {
    const set = this.listeners.get(TraceTail.key(event.tenantId, event.agentId));
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        set.delete(listener);
      }
    }
  }

  subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  private static key(tenantId: string, agentId: string): string {
    return `${tenantId}\u0000${agentId}`;
  }
}
