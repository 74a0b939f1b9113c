import type { AcdState } from './agent-state.js';
import type { TeamsPresence } from './presence.js';
import { isSessionSettable, samePresence } from './presence.js';
import type { AcdStatePattern, PresenceMapping, PresenceRule, TeamsPresencePattern } from './presence-rule.js';
import type { AcdTarget } from './sync-state.js';

/**
 * Matching ACD states and Teams presences against rule mappings. When several mappings match,
 * the most specific wins (a code or counterpart beats none; an activity beats none) and ties go
 * to the first mapping, so the outcome never depends on anything but the rule itself.
 */
const CONTACT_KINDS: readonly string[] = [
  'InboundContact',
  'OutboundContact',
  'InboundConsult',
  'OutboundConsult',
  'Dialer',
];

export function matchesAcdPattern(state: AcdState, pattern: AcdStatePattern): boolean {
  switch (pattern.kind) {
    case 'Unavailable':
      return (
        state.name === 'Unavailable' &&
        !state.afterCallWork &&
        (pattern.codeId === undefined || state.unavailableCode?.id === pattern.codeId)
      );
    case 'AfterCallWork':
      return state.name === 'Unavailable' && state.afterCallWork;
    case 'Available':
    case 'LoggedIn':
    case 'LoggedOut':
      return state.name === pattern.kind;
    default:
      return (
        state.name === pattern.kind &&
        (pattern.counterpart === undefined || state.contact?.counterpart === pattern.counterpart)
      );
  }
}

/** Higher = narrower. */
export function acdPatternSpecificity(pattern: AcdStatePattern): number {
  if (pattern.kind === 'Unavailable') return pattern.codeId === undefined ? 1 : 2;
  if (CONTACT_KINDS.includes(pattern.kind))
    return 'counterpart' in pattern && pattern.counterpart !== undefined ? 2 : 1;
  return 1;
}

export function matchesTeamsPattern(presence: TeamsPresence, pattern: TeamsPresencePattern): boolean {
  if (presence.availability.toLowerCase() !== pattern.availability.toLowerCase()) return false;
  return pattern.activity === undefined || presence.activity.toLowerCase() === pattern.activity.toLowerCase();
}

export const publishes = (rule: Pick<PresenceRule, 'direction'>): boolean => rule.direction !== 'subscriber';
export const subscribes = (rule: Pick<PresenceRule, 'direction'>): boolean => rule.direction !== 'publisher';

/** The ACD state a subscriber may request for this pattern (Available, or Unavailable with a code), else null. */
export function acdTargetOfPattern(pattern: AcdStatePattern): AcdTarget | null {
  if (pattern.kind === 'Available') return { kind: 'Available' };
  if (pattern.kind === 'Unavailable' && pattern.codeId !== undefined)
    return { kind: 'Unavailable', codeId: pattern.codeId };
  return null;
}

/** The Teams pair a publisher may write for this pattern (a full setPresence pair), else null. */
export function publishablePresence(pattern: TeamsPresencePattern): TeamsPresence | null {
  if (pattern.activity === undefined) return null;
  const presence = { availability: pattern.availability, activity: pattern.activity };
  return isSessionSettable(presence) ? presence : null;
}

function pickMostSpecific(candidates: readonly { mapping: PresenceMapping; score: number }[]): PresenceMapping | null {
  let best: { mapping: PresenceMapping; score: number } | null = null;
  for (const c of candidates) if (best === null || c.score > best.score) best = c;
  return best?.mapping ?? null;
}

/** The mapping a publisher uses for `state`, or null when the state maps to nothing. */
export function publisherMappingFor(rule: Pick<PresenceRule, 'mappings'>, state: AcdState): PresenceMapping | null {
  const candidates = rule.mappings
    .filter((m) => publishablePresence(m.teams) !== null && matchesAcdPattern(state, m.acd))
    .map((mapping) => ({ mapping, score: acdPatternSpecificity(mapping.acd) }));
  return pickMostSpecific(candidates);
}

/** What Teams presence a publisher rule wants for `state` (null = nothing: clear our session). */
export function publisherPresenceFor(rule: Pick<PresenceRule, 'mappings'>, state: AcdState): TeamsPresence | null {
  const mapping = publisherMappingFor(rule, state);
  return mapping === null ? null : publishablePresence(mapping.teams);
}

/** What ACD state a subscriber rule wants for a Teams presence (null = no mapping). */
export function subscriberTargetFor(rule: Pick<PresenceRule, 'mappings'>, presence: TeamsPresence): AcdTarget | null {
  const candidates = rule.mappings
    .filter((m) => acdTargetOfPattern(m.acd) !== null && matchesTeamsPattern(presence, m.teams))
    .map((mapping) => ({ mapping, score: mapping.teams.activity === undefined ? 1 : 2 }));
  const mapping = pickMostSpecific(candidates);
  return mapping === null ? null : acdTargetOfPattern(mapping.acd);
}

/** The ACD state as a target we could set again later (restore), or null (contact, ACW, LoggedIn, LoggedOut, no code). */
export function acdTargetOfState(state: AcdState): AcdTarget | null {
  if (state.name === 'Available') return { kind: 'Available' };
  if (state.name === 'Unavailable' && !state.afterCallWork && state.unavailableCode)
    return { kind: 'Unavailable', codeId: state.unavailableCode.id };
  return null;
}

export function sameTarget(a: AcdTarget, b: AcdTarget): boolean {
  return a.kind === b.kind && (a.kind === 'Available' || (b.kind === 'Unavailable' && a.codeId === b.codeId));
}

export function stateIsTarget(state: AcdState, target: AcdTarget): boolean {
  const own = acdTargetOfState(state);
  return own !== null && sameTarget(own, target);
}

export function samePresenceOrNull(a: TeamsPresence | null, b: TeamsPresence | null): boolean {
  return a === null || b === null ? a === b : samePresence(a, b);
}

export const matchesAnyPattern = (state: AcdState, patterns: readonly AcdStatePattern[]): boolean =>
  patterns.some((p) => matchesAcdPattern(state, p));

export const describeAcdState = (s: AcdState): string => {
  if (s.name === 'Unavailable')
    return s.afterCallWork ? 'AfterCallWork' : `Unavailable(${s.unavailableCode?.name ?? 'no code'})`;
  return s.contact ? `${s.name}(${s.contact.media}, ${s.contact.counterpart})` : s.name;
};

export const describePresence = (p: TeamsPresence | null): string =>
  p === null ? 'nothing' : `${p.availability}/${p.activity}`;

export const describeTarget = (t: AcdTarget): string =>
  t.kind === 'Available' ? 'Available' : `Unavailable(code ${t.codeId})`;
