import type { Decision, Effect, SkipReason } from './effects.js';
import type { PresenceRule } from './presence-rule.js';
import type { AgentSyncState, PendingSide } from './sync-state.js';

/** Small helpers shared by the decide-* modules. */
export const skip = (reason: SkipReason, detail: string): Effect => ({ kind: 'skip', reason, detail });

export const decision = (next: AgentSyncState, ...effects: Effect[]): Decision => ({ effects, next });

export const skipped = (next: AgentSyncState, reason: SkipReason, detail: string): Decision =>
  decision(next, skip(reason, detail));

/** Whatever stops a rule from acting at all: no rule, a disabled rule, a paused tenant. */
export function gateRule(rule: PresenceRule | null, syncEnabled: boolean): Effect | null {
  if (rule === null) return skip('NO_RULE', 'no presence rule applies to this agent');
  if (!rule.enabled) return skip('RULE_DISABLED', `rule "${rule.name}" is disabled`);
  if (!syncEnabled) return skip('SYNC_PAUSED', 'sync is paused for this tenant');
  return null;
}

/** Drop optional keys whose value became undefined, so persisted states compare cleanly. */
export function without<K extends 'pending' | 'acdWritten'>(state: AgentSyncState, key: K): AgentSyncState {
  if (state[key] === undefined) return state;
  const copy: { -readonly [P in keyof AgentSyncState]: AgentSyncState[P] } = { ...state };
  delete copy[key];
  return copy;
}

export const pendingSides = (agent: AgentSyncState): readonly PendingSide[] =>
  agent.pending?.sides ?? (agent.pending ? ['acd'] : []);

/** Wait for `side` until `dueAt` (a newer change restarts the wait for every waiting side). */
export function withPending(agent: AgentSyncState, side: PendingSide, dueAt: number, reason: string): AgentSyncState {
  const sides = [...new Set([...pendingSides(agent), side])].sort();
  return { ...agent, pending: { dueAt, reason, sides } };
}

/** Stop waiting for `side`; the other side keeps waiting. */
export function dropPending(agent: AgentSyncState, side: PendingSide): AgentSyncState {
  const rest = pendingSides(agent).filter((s) => s !== side);
  if (rest.length === pendingSides(agent).length) return agent;
  return rest.length === 0 ? without(agent, 'pending') : { ...agent, pending: { ...agent.pending!, sides: rest } };
}
