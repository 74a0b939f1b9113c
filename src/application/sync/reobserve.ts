import type { AcdStateEvent } from '../../domain/agent-state.js';
import type { TeamsPresenceEvent } from '../../domain/presence.js';
import type { AgentSyncState } from '../../domain/sync-state.js';
import type { WriteUrgency } from '../ports.js';

/**
 * The agent's last known states as fresh observations: same states and source times (never
 * newer than anything real), new event ids. The Teams one carries no sequence number, or decide
 * would take it for the version it already handled.
 */
export function reobserve(
  tenantId: string,
  state: AgentSyncState,
  idPrefix: string,
): (AcdStateEvent | TeamsPresenceEvent)[] {
  const events: (AcdStateEvent | TeamsPresenceEvent)[] = [];
  if (state.acd) {
    events.push({
      source: 'acd',
      tenantId,
      agentId: state.agentId,
      state: state.acd.state,
      sourceTime: state.acd.sourceTime,
      eventId: `${idPrefix}:acd:${state.agentId}`,
    });
  }
  if (state.teams && state.teamsUserId !== undefined) {
    const manual = state.teams.manualStatus !== undefined ? { manualStatus: state.teams.manualStatus } : {};
    events.push({
      source: 'teams',
      tenantId,
      agentId: state.agentId,
      teamsUserId: state.teamsUserId,
      presence: state.teams.presence,
      sourceTime: state.teams.sourceTime,
      eventId: `${idPrefix}:teams:${state.agentId}`,
      ...manual,
    });
  }
  return events;
}

/**
 * The re-evaluation an event was queued by (the `change` in `reeval:<change>:…` ids the engine's
 * `reevaluate` gives), or undefined for a real observation.
 */
export function reevaluationOf(eventId: string): string | undefined {
  const match = /^reeval:([^:]+):/.exec(eventId);
  return match?.[1];
}

/**
 * How urgent the Graph writes of an entry are: a re-evaluation (rule or link change) or a
 * reconciliation finding corrects what was already decided once, and waits behind fresh changes
 * when the budget cannot take everything at once.
 */
export function writeUrgencyOf(event: { readonly source: string; readonly eventId: string }): WriteUrgency {
  if (reevaluationOf(event.eventId) !== undefined) return 'correction';
  return event.source === 'teams' && event.eventId.includes(':reconcile:') ? 'correction' : 'change';
}
