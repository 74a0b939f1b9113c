import type { InboxEntry, Store } from '../ports.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { TenantRuntime } from './tenant-runtime.js';

/** An agent's stored state and link as the pump read them, for the entry that runs first. */
export interface PrefetchedAgent {
  readonly stored: AgentSyncState | undefined;
  readonly teamsUserId: string | undefined;
  /** Clock time of the read. */
  readonly at: number;
  /** The tenant's configuration epoch then: a re-link through this instance makes it stale at once. */
  readonly epoch: number;
}

/**
 * Reads, in two queries, the state and link of every agent whose first entry this pull is — an
 * agent with nothing queued or running, so no completion can change its state before that entry
 * runs (only the tenant's owner completes its entries, one at a time per agent). Later entries of
 * the same agent read the store themselves, after their predecessor committed.
 */
export async function prefetchAgents(
  store: Pick<Store, 'agentStates' | 'userLinks'>,
  tenant: TenantRuntime,
  entries: readonly InboxEntry[],
  now: number,
): Promise<Map<number, PrefetchedAgent>> {
  const first = new Map<string, number>();
  for (const e of entries) if (!tenant.isAgentBusy(e.agentId) && !first.has(e.agentId)) first.set(e.agentId, e.seq);
  const loads = new Map<number, PrefetchedAgent>();
  if (first.size === 0) return loads;
  const agentIds = [...first.keys()];
  const [states, links] = await Promise.all([
    store.agentStates.getMany(tenant.tenantId, agentIds),
    store.userLinks.byAgents(tenant.tenantId, agentIds),
  ]);
  const stateOf = new Map(states.map((s) => [s.agentId, s]));
  const userOf = new Map(links.map((l) => [l.agentId, l.teamsUserId]));
  for (const [agentId, seq] of first) {
    loads.set(seq, {
      stored: stateOf.get(agentId),
      teamsUserId: userOf.get(agentId),
      at: now,
      epoch: tenant.configEpoch,
    });
  }
  return loads;
}
