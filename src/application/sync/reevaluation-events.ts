import type { AcdStateEvent } from '../../domain/agent-state.js';
import { subscribes } from '../../domain/match.js';
import type { TeamsPresenceEvent } from '../../domain/presence.js';
import type { PresenceRule } from '../../domain/presence-rule.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { SyncPolicy } from '../ports.js';
import { reobserve } from './reobserve.js';

/**
 * What a re-evaluation queues for these agents: each agent's ACD state and Teams presence as fresh
 * observations (reobserve), every ACD one before every Teams one. Each agent's two keep their
 * order (ACD, then Teams: per-agent order is inbox order), and a pull of the inbox then holds one
 * entry per agent, which the pump reads in bulk; interleaved, every agent's second entry waited
 * behind its first and read its state and link alone (20k single reads at 10k agents).
 *
 * The Teams one is left out when the agent's rule, as now saved, does not write Teams changes to
 * the ACD (publisher-only, or no rule): decide then ends a Teams observation in a skip, or in a
 * republish when a hand-set Teams status starts or ends, which re-observing the same presence
 * never does (reevaluation.test.ts holds the domain to it). At 10k publisher agents those no-op
 * entries were a third of the re-evaluation's time. Kept for an agent whose team is not known yet
 * (its rule is only known once the entry looks the team up), and for one without an ACD state.
 */
export function reevaluationEvents(
  tenantId: string,
  states: readonly AgentSyncState[],
  change: string,
  rules: readonly PresenceRule[],
  policy: Pick<SyncPolicy, 'resolveRule'>,
): (AcdStateEvent | TeamsPresenceEvent)[] {
  const acd: AcdStateEvent[] = [];
  const teams: TeamsPresenceEvent[] = [];
  for (const state of states) {
    for (const event of reobserve(tenantId, state, `reeval:${change}`)) {
      if (event.source === 'acd') acd.push(event);
      else if (teamsSideApplies(state, rules, policy)) teams.push(event);
    }
  }
  return [...acd, ...teams];
}

function teamsSideApplies(
  state: AgentSyncState,
  rules: readonly PresenceRule[],
  policy: Pick<SyncPolicy, 'resolveRule'>,
): boolean {
  // Without an ACD state it is the agent's only entry, and its Log Reader line says the change reached it.
  if (state.teamId === undefined || state.acd === undefined) return true;
  const rule = policy.resolveRule({ agentId: state.agentId, teamId: state.teamId }, rules).rule;
  return rule !== null && rule.enabled && subscribes(rule);
}
