import type { AcdState } from '../../src/domain/agent-state.js';
import { isOnContact } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import type { Effect, SyncEvent } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import { samePresence } from '../../src/domain/presence.js';
import type { PresenceRule } from '../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';
import { AGENT, CODES, T0, TEAMS_USER, agentState } from './builders.js';

/**
 * A tiny model of both sides for property tests: the ACD (one agent, refuses writes on a contact,
 * in ACW or logged out) and Teams (the user's client session, the preferred layer, our app
 * session; aggregate = preferred layer if any session exists, else the strongest session).
 * Every change a side makes comes back as an event, so echoes are fed into decide like in production.
 */
export interface World {
  acd: AcdState;
  client: TeamsPresence | null;
  preferred: TeamsPresence | null;
  ours: TeamsPresence | null;
  shown: TeamsPresence;
  clock: number;
  seq: number;
  dueAt: number | null;
  agent: AgentSyncState;
  lastEvent: SyncEvent | null;
  /** True while the ACD shows a state the agent chose (not one the sync wrote). */
  agentChose: boolean;
}

const RANK: Record<string, number> = { donotdisturb: 4, busy: 3, available: 2, away: 1, berightback: 1 };
const OFFLINE: TeamsPresence = { availability: 'Offline', activity: 'Offline' };

export function aggregate(w: Pick<World, 'client' | 'preferred' | 'ours'>): TeamsPresence {
  const sessions = [w.client, w.ours].filter((p): p is TeamsPresence => p !== null);
  if (sessions.length === 0) return OFFLINE;
  if (w.preferred) return w.preferred;
  return sessions.reduce((a, b) =>
    (RANK[b.availability.toLowerCase()] ?? 0) > (RANK[a.availability.toLowerCase()] ?? 0) ? b : a,
  );
}

export function newWorld(acd: AcdState, client: TeamsPresence | null): World {
  const w: World = {
    acd,
    client,
    preferred: null,
    ours: null,
    shown: OFFLINE,
    clock: T0,
    seq: 0,
    dueAt: null,
    agent: agentState(),
    lastEvent: null,
    agentChose: true,
  };
  w.shown = aggregate(w);
  return w;
}

const seqNo = (n: number): string => `S${String(n).padStart(8, '0')}`;

export function acdChanged(w: World, state: AcdState): SyncEvent {
  w.acd = state;
  w.clock += 1;
  return {
    source: 'acd',
    tenantId: 't',
    agentId: AGENT,
    state,
    sourceTime: w.clock,
    eventId: `acd-${w.clock}-${++w.seq}`,
  };
}

/** A Teams notification, if the aggregate changed (Graph notifies changes only). */
export function teamsChanged(w: World): SyncEvent | null {
  const now = aggregate(w);
  if (samePresence(now, w.shown)) return null;
  w.shown = now;
  w.clock += 1;
  w.seq += 1;
  return {
    source: 'teams',
    tenantId: 't',
    agentId: AGENT,
    teamsUserId: TEAMS_USER,
    presence: now,
    sequenceNumber: seqNo(w.seq),
    sourceTime: w.clock,
    eventId: `teams-${w.seq}`,
  };
}

function targetState(target: Extract<Effect, { kind: 'setAcdState' }>['target']): AcdState {
  if (target.kind === 'Available') return { name: 'Available', afterCallWork: false };
  const code = Object.values(CODES).find((c) => c.id === target.codeId) ?? { id: target.codeId, name: target.codeId };
  return { name: 'Unavailable', afterCallWork: false, unavailableCode: code };
}

/** Apply one effect to the model; the echo it causes, if any. */
export function applyEffect(w: World, e: Effect): SyncEvent | null {
  switch (e.kind) {
    case 'setTeamsPresence':
      if (e.preferred) w.preferred = e.presence;
      else w.ours = e.presence;
      return teamsChanged(w);
    case 'clearTeamsPresence':
      if (e.preferred) w.preferred = null;
      else w.ours = null;
      return teamsChanged(w);
    case 'setAcdState': {
      if (w.acd.name === 'LoggedOut' || isOnContact(w.acd) || w.acd.afterCallWork) return null;
      const next = targetState(e.target);
      if (JSON.stringify(next) === JSON.stringify(w.acd)) return null;
      const echo = acdChanged(w, next);
      w.agentChose = false;
      return echo;
    }
    case 'recheckAt':
      w.dueAt = e.at;
      return null;
    case 'skip':
      return null;
  }
}

export interface Settled {
  readonly decisions: number;
  readonly writes: number;
  readonly maxEffectsPerDecision: number;
  readonly teamsEffectsOnDigital: number;
  /** The same write (kind + value) issued twice while settling one change: a ping-pong. */
  readonly repeatedWrites: number;
}

/** Called after each decision, with the world as it was before the decision's effects. */
export type Observer = (event: SyncEvent, effects: readonly Effect[], before: Readonly<World>) => void;

const writeKey = (e: Effect): string | null =>
  e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence' || e.kind === 'setAcdState'
    ? JSON.stringify({ ...e, reason: undefined })
    : null;

/** Feed `first` and every echo it causes through decide until nothing is left (or `limit` decisions). */
export function settle(w: World, rule: PresenceRule, first: SyncEvent | null, observe?: Observer, limit = 25): Settled {
  const queue: SyncEvent[] = first ? [first] : [];
  const written = new Set<string>();
  let decisions = 0,
    writes = 0,
    maxEffects = 0,
    digital = 0,
    repeated = 0;
  while (queue.length > 0 && decisions < limit) {
    const event = queue.shift()!;
    const d = decide({ rule, agent: w.agent, event, now: w.clock, syncEnabled: true });
    decisions += 1;
    w.clock += 1;
    w.agent = d.next;
    w.lastEvent = event;
    maxEffects = Math.max(maxEffects, d.effects.length);
    observe?.(event, d.effects, { ...w });
    for (const e of d.effects) {
      const key = writeKey(e);
      if (key !== null && written.has(key)) repeated += 1;
      if (key !== null) written.add(key);
      if (e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence' || e.kind === 'setAcdState') writes += 1;
      if (
        event.source === 'acd' &&
        event.state.contact?.media === 'digital' &&
        (e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence')
      )
        digital += 1;
      const echo = applyEffect(w, e);
      if (echo) queue.push(echo);
    }
  }
  return {
    decisions: queue.length > 0 ? Infinity : decisions,
    writes,
    maxEffectsPerDecision: maxEffects,
    teamsEffectsOnDigital: digital,
    repeatedWrites: repeated,
  };
}
