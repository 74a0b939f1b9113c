import type { AcdContact, AcdState, AcdStateEvent, ContactMedia, Counterpart } from '../../src/domain/agent-state.js';
import type { TickEvent } from '../../src/domain/effects.js';
import type { TeamsPresence, TeamsPresenceEvent } from '../../src/domain/presence.js';
import type {
  AcdStatePattern,
  PresenceMapping,
  PresenceRule,
  RuleDirection,
  RuleScope,
  TeamsPresencePattern,
} from '../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../src/domain/sync-state.js';

/** Builders for domain data: sensible defaults, override what the test is about. */
export const AGENT = 'agent-1';
export const TEAMS_USER = 'aad-user-1';
export const TEAM = 'team-1';
export const T0 = 1_700_000_000_000;

export const CODES = {
  lunch: { id: '101', name: 'Lunch' },
  meeting: { id: '102', name: 'Meeting' },
  dnd: { id: '103', name: 'Do not disturb' },
  training: { id: '104', name: 'Training' },
} as const;

export const presence = (availability: string, activity: string): TeamsPresence => ({ availability, activity });
export const P = {
  available: presence('Available', 'Available'),
  inACall: presence('Busy', 'InACall'),
  conference: presence('Busy', 'InAConferenceCall'),
  away: presence('Away', 'Away'),
  presenting: presence('DoNotDisturb', 'Presenting'),
  dnd: presence('DoNotDisturb', 'DoNotDisturb'),
  busy: presence('Busy', 'Busy'),
  meeting: presence('Busy', 'InAMeeting'),
  brb: presence('BeRightBack', 'BeRightBack'),
  offline: presence('Offline', 'OffWork'),
} as const;

export function contact(
  media: ContactMedia = 'voice',
  counterpart: Counterpart = 'customer',
  over: Partial<AcdContact> = {},
): AcdContact {
  return { contactId: 'c-1', media, mediaTypeId: media === 'voice' ? 4 : 3, counterpart, isOutbound: false, ...over };
}

export const acd = {
  available: (): AcdState => ({ name: 'Available', afterCallWork: false }),
  unavailable: (code: { id: string; name: string } = CODES.lunch): AcdState => ({
    name: 'Unavailable',
    afterCallWork: false,
    unavailableCode: code,
  }),
  unavailableNoCode: (): AcdState => ({ name: 'Unavailable', afterCallWork: false }),
  acw: (): AcdState => ({
    name: 'Unavailable',
    afterCallWork: true,
    unavailableCode: { id: '900', name: 'ACW' },
    contact: contact(),
  }),
  contact: (
    name: AcdState['name'] = 'InboundContact',
    media: ContactMedia = 'voice',
    counterpart: Counterpart = 'customer',
  ): AcdState => ({
    name,
    afterCallWork: false,
    contact: contact(media, counterpart, { isOutbound: name === 'OutboundContact' || name === 'OutboundConsult' }),
  }),
  loggedIn: (): AcdState => ({ name: 'LoggedIn', afterCallWork: false }),
  loggedOut: (): AcdState => ({ name: 'LoggedOut', afterCallWork: false }),
};

export const map = (acdPattern: AcdStatePattern, teams: TeamsPresencePattern): PresenceMapping => ({
  acd: acdPattern,
  teams,
});

/** Publisher mappings of a typical contact centre: calls → In a call, Lunch → Away, Training → Presenting. */
export const PUBLISHER_MAPPINGS: readonly PresenceMapping[] = [
  map({ kind: 'InboundContact' }, P.inACall),
  map({ kind: 'OutboundContact' }, P.inACall),
  map({ kind: 'InboundConsult' }, P.inACall),
  map({ kind: 'OutboundConsult' }, P.inACall),
  map({ kind: 'Dialer' }, P.inACall),
  map({ kind: 'Unavailable', codeId: CODES.lunch.id }, P.away),
  map({ kind: 'Unavailable', codeId: CODES.training.id }, P.presenting),
];

/** Subscriber mappings: a Teams meeting or DND takes the agent off routing; Available is the way back. */
export const SUBSCRIBER_MAPPINGS: readonly PresenceMapping[] = [
  map({ kind: 'Unavailable', codeId: CODES.meeting.id }, { availability: 'Busy', activity: 'InAMeeting' }),
  map({ kind: 'Unavailable', codeId: CODES.dnd.id }, { availability: 'DoNotDisturb' }),
  map({ kind: 'Available' }, P.available),
];

export function rule(over: Partial<PresenceRule> = {}): PresenceRule {
  const direction: RuleDirection = over.direction ?? 'publisher';
  const mappings =
    direction === 'publisher'
      ? PUBLISHER_MAPPINGS
      : direction === 'subscriber'
        ? SUBSCRIBER_MAPPINGS
        : [...PUBLISHER_MAPPINGS, ...SUBSCRIBER_MAPPINGS];
  return {
    id: 'rule-1',
    tenantId: 'tenant-1',
    name: 'Contact centre',
    partnerPlatform: 'msteams',
    direction,
    scope: { kind: 'team', teamIds: [TEAM] } satisfies RuleScope,
    mappings,
    enabled: true,
    manualStatusPolicy: 'respect',
    noSyncStates: [],
    debounceMs: 0,
    version: 1,
    ...over,
  };
}

export function agentState(over: Partial<AgentSyncState> = {}): AgentSyncState {
  return { agentId: AGENT, teamsUserId: TEAMS_USER, teamId: TEAM, ...over };
}

let seq = 0;
export const acdEvent = (state: AcdState, sourceTime = T0, eventId = `acd-${++seq}`): AcdStateEvent => ({
  source: 'acd',
  tenantId: 'tenant-1',
  agentId: AGENT,
  state,
  sourceTime,
  eventId,
});

export const teamsEvent = (
  p: TeamsPresence,
  sourceTime = T0,
  over: Partial<TeamsPresenceEvent> = {},
): TeamsPresenceEvent => ({
  source: 'teams',
  tenantId: 'tenant-1',
  agentId: AGENT,
  teamsUserId: TEAMS_USER,
  presence: p,
  sourceTime,
  eventId: `teams-${++seq}`,
  ...over,
});

export const tick = (sourceTime: number): TickEvent => ({
  source: 'tick',
  tenantId: 'tenant-1',
  agentId: AGENT,
  sourceTime,
  eventId: `tick-${++seq}`,
});

/** An agent already seen in `state` on the ACD at T0 - 1000. */
export const withAcd = (state: AcdState, over: Partial<AgentSyncState> = {}): AgentSyncState =>
  agentState({ acd: { state, sourceTime: T0 - 1000, eventId: 'acd-prev' }, ...over });

export const withTeams = (
  p: TeamsPresence,
  over: Partial<NonNullable<AgentSyncState['teams']>> = {},
): NonNullable<AgentSyncState['teams']> => ({
  presence: p,
  sourceTime: T0 - 1000,
  eventId: 'teams-prev',
  ...over,
});
