import type { AcdStateName } from '../../domain/agent-state.js';

/** The emulator's in-memory CXone business unit (reference §5, §6). Ids are numbers, as CXone sends them. */
export interface EmuTeam {
  readonly teamId: number;
  readonly teamName: string;
  readonly teamUuid: string;
  isActive: boolean;
  /** Unavailable codes assigned to the team (reference §5.2). */
  codeIds: number[];
}

export interface EmuCode {
  readonly id: number;
  name: string;
  isActive: boolean;
  isAcw: boolean;
  /** Inactivity logout after this long in the code (reference §4: default 120, 30–720). */
  agentTimeoutMins: number;
}

export interface EmuSkill {
  readonly skillId: number;
  readonly skillName: string;
  readonly mediaTypeId: number;
  readonly isOutbound: boolean;
  readonly isActive: boolean;
  /** Skill ACW settings (reference §2.2 `GET /skills/{id}`, §6). */
  readonly useAcw: boolean;
  readonly acwCodeId?: number;
  readonly maxSecondsACW: number;
  /** Code entered when ACW times out; 0 = Available. */
  readonly acwPostTimeoutStateId: number;
}

export interface EmuAgent {
  readonly agentId: number;
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly userName: string;
  readonly emailAddress: string;
  readonly federatedId: string;
  teamId: number;
  isActive: boolean;
  readonly stationId: number;
  readonly stationPhoneNumber: string;
}

/** A state the platform will enter after the current contact (reference §4 "next state"). */
export interface EmuNextState {
  readonly state: 'Available' | 'Unavailable';
  readonly outStateId: number;
}

export interface EmuAgentState {
  state: AcdStateName;
  outStateId: number;
  outStateDescription: string;
  isAcw: boolean;
  /** The contact being handled (or just ended, during ACW); 0 = none. */
  contactId: number;
  lastUpdateTime: number;
  sessionStartTime?: number;
  next?: EmuNextState;
  /** The customer contact put on hold by a consult; the agent returns to it when the consult ends. */
  heldContactId?: number;
  /** When ACW ends (skill maxSecondsACW) or the code's inactivity logout fires. */
  dueAt?: number;
  dueKind?: 'acwEnd' | 'inactivityLogout';
  acwPostTimeout?: EmuNextState;
}

/** What kind of call a contact is: the classifier under test must recover this from CXone's fields. */
export type EmuContactKind = 'customer' | 'consult' | 'agentCall' | 'skillCall' | 'digital';

export interface EmuContact {
  readonly contactId: number;
  readonly masterContactId: number;
  readonly agentId: number;
  readonly targetAgentId?: number;
  readonly skillId: number;
  readonly mediaTypeId: number;
  readonly isOutbound: boolean;
  readonly fromAddress: string;
  readonly toAddress: string;
  readonly pointOfContactId?: number;
  /** Emulator-internal: the other leg of a skill call (not exposed by the API). */
  readonly linkedContactId?: number;
  readonly kind: EmuContactKind;
  readonly startTime: number;
  lastUpdateTime: number;
  ended: boolean;
}
