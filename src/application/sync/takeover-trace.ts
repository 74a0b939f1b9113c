import type { Clock, InboxStore } from '../ports.js';
import type { TraceRecorder } from '../trace/trace-recorder.js';

/** How many agents with pending inbox entries are announced at most (the rest still run, unannounced). */
const ANNOUNCE_LIMIT = 2_000;

/**
 * An instance starts running a tenant (first start, restart after a crash, or takeover from a dead
 * owner): every agent with events still pending in the inbox gets an `ownership` hop in its Log
 * Reader, so support staff see why its change arrived late and who finished it. Agents with nothing
 * pending were not affected and get no line (a takeover must not write 10k trace events).
 * Returns how many agents were announced.
 */
export async function announceTakeover(
  deps: { readonly inbox: InboxStore; readonly trace: TraceRecorder; readonly clock: Clock },
  tenantId: string,
  instanceId: string,
): Promise<number> {
  // Entries waiting for a retry count too: the new owner resumes them as well.
  const byAgent = await deps.inbox.pendingByAgent(tenantId, ANNOUNCE_LIMIT);
  const at = deps.clock.now();
  for (const [agentId, count] of byAgent) {
    deps.trace.record({
      tenantId,
      agentId,
      traceId: `ownership:${instanceId}:${at}`,
      hop: 'ownership',
      at,
      summary: `Sync of this tenant taken up by instance ${instanceId}; ${count} pending event(s) of this agent resumed from the inbox`,
      data: { instanceId, pending: count },
    });
  }
  return byAgent.size;
}
