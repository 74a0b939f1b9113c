import type { CxoneModel } from './cxone-model.js';
import type { EmuContact } from './cxone-model-types.js';
import { iso } from './cxone-router.js';

/** Session events are PascalCase with string values: booleans "True"/"False", ids as numeric strings (reference §3.2). */
export type SessionEvent = Readonly<Record<string, unknown>>;

const hosts = { IISHost: 'emu-iis', VCHost: 'emu-vc' } as const;
const tf = (b: boolean): string => (b ? 'True' : 'False');

export function sessionStartEvent(model: CxoneModel, agentId: number, platformSessionId: number): SessionEvent {
  const a = model.agent(agentId)!;
  return {
    Type: 'AgentSessionStart',
    ...hosts,
    BusNo: String(model.businessUnitId),
    AgentId: String(agentId),
    SessionId: String(platformSessionId),
    StationId: String(a.stationId),
    StationPhoneNumber: a.stationPhoneNumber,
  };
}

/** AgentState: `CurrentOutReason` carries the code NAME, never its id (reference §3.2). */
export function agentStateEvent(model: CxoneModel, agentId: number): SessionEvent {
  const st = model.stateOf(agentId);
  const nextCode = st.next ? model.codes.get(st.next.outStateId) : undefined;
  const acwTimeout =
    st.isAcw && st.dueAt !== undefined ? String(Math.round((st.dueAt - st.lastUpdateTime) / 1000)) : '';
  return {
    Type: 'AgentState',
    ...hosts,
    CurrentState: st.state,
    CurrentOutReason: st.outStateDescription,
    StartTimeUTC: iso(st.lastUpdateTime),
    IsAcw: tf(st.isAcw),
    AcwTimeout: acwTimeout,
    NextStates: st.next ? [{ State: st.next.state, OutReason: nextCode?.name ?? '' }] : [],
    NextIsAcw: tf(nextCode?.isAcw ?? false),
  };
}

const CALL_TYPES = {
  customer: 'Regular',
  consult: 'Consult',
  agentCall: 'PersonalQueue',
  skillCall: 'Regular',
  digital: 'Regular',
} as const;

/** CallContactEvent for voice, DigitalContactEvent for digital (reference §3.2, §3.3). */
export function contactEvent(model: CxoneModel, c: EmuContact): SessionEvent {
  const base = {
    ...hosts,
    ContactID: String(c.contactId),
    StartTimeUTC: iso(c.startTime),
    Status: c.ended ? 'Disconnected' : 'Active',
  };
  if (c.mediaTypeId !== 4)
    return {
      Type: 'DigitalContactEvent',
      ...base,
      ChannelType: c.mediaTypeId === 1 ? 'Email' : 'Chat',
      SkillName: model.skills.get(c.skillId)?.skillName ?? '',
      CustomerName: c.fromAddress,
    };
  return {
    Type: 'CallContactEvent',
    ...base,
    MasterID: String(c.masterContactId),
    CallType: CALL_TYPES[c.kind],
    Skill: String(c.skillId),
    IsInbound: tf(!c.isOutbound),
    ANI: c.fromAddress,
    DNIS: c.toAddress,
    FinalState: tf(c.ended),
    LastStateChangeTimeUTC: iso(c.lastUpdateTime),
    ParentContactId: c.masterContactId !== c.contactId ? String(c.masterContactId) : '',
  };
}

export const sessionEndEvent = (message: string): SessionEvent => ({
  Type: 'AgentSessionEnd',
  ...hosts,
  Success: 'True',
  Message: message,
});
