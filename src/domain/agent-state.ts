/**
 * The ACD side: CXone agent states (reference/cxone-acd.md §6) and the contact an agent is on.
 * Ids are strings everywhere in the domain: CXone sends integers, Graph sends GUIDs, and a
 * tenant's ids never need arithmetic.
 */
export const ACD_STATE_NAMES = [
  'LoggedOut',
  'Available',
  'Unavailable',
  'InboundContact',
  'OutboundContact',
  'InboundConsult',
  'OutboundConsult',
  'Dialer',
  'LoggedIn',
] as const;
export type AcdStateName = (typeof ACD_STATE_NAMES)[number];

/** CXone agentStateId ↔ name (reference §6). */
export const ACD_STATE_IDS: Readonly<Record<AcdStateName, number>> = Object.freeze({
  LoggedOut: 0,
  Available: 1,
  Unavailable: 2,
  InboundContact: 3,
  OutboundContact: 4,
  InboundConsult: 5,
  OutboundConsult: 6,
  Dialer: 7,
  LoggedIn: 8,
});

/** States in which the agent is working a contact ("Working" in the CXone agent app). */
export const CONTACT_STATES: readonly AcdStateName[] = [
  'InboundContact',
  'OutboundContact',
  'InboundConsult',
  'OutboundConsult',
  'Dialer',
];

export type ContactMedia = 'voice' | 'digital';

/**
 * Who is on the other end. NICE's Presence Sync ignores agent-to-agent and agent-to-skill calls;
 * we sync them, so the distinction is kept to be able to say so in traces and rules.
 */
export type Counterpart = 'customer' | 'agent' | 'skill';

export interface AcdContact {
  readonly contactId: string;
  readonly media: ContactMedia;
  /** CXone mediaTypeId (4 = phone call; reference §2.3). Kept for traces. */
  readonly mediaTypeId: number;
  readonly counterpart: Counterpart;
  readonly isOutbound: boolean;
  readonly skillId?: string;
  readonly skillName?: string;
}

export interface UnavailableCode {
  readonly id: string;
  readonly name: string;
}

export interface AcdState {
  readonly name: AcdStateName;
  /** Set when `name` is Unavailable (CXone outStateId / outStateDescription). */
  readonly unavailableCode?: UnavailableCode;
  /** Unavailable + ACW flag = after-call work (reference §6, "After Call Work"). */
  readonly afterCallWork: boolean;
  /** The contact the agent is working, for contact states (and during ACW when known). */
  readonly contact?: AcdContact;
}

/** An agent state change observed on the ACD, as the CXone adapter hands it to the engine. */
export interface AcdStateEvent {
  readonly source: 'acd';
  readonly tenantId: string;
  readonly agentId: string;
  readonly state: AcdState;
  /** Epoch ms of the change at the source (CXone lastUpdateTime); orders events of one agent. */
  readonly sourceTime: number;
  /** Stable id of this observation (dedupes redelivery/replay); e.g. `${agentId}:${lastUpdateTime}`. */
  readonly eventId: string;
}

export const isOnContact = (s: AcdState): boolean => CONTACT_STATES.includes(s.name);
export const isOnVoiceContact = (s: AcdState): boolean => isOnContact(s) && s.contact?.media === 'voice';
export const isLoggedIn = (s: AcdState): boolean => s.name !== 'LoggedOut';
