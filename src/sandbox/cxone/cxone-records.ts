import { ACD_STATE_IDS } from '../../domain/agent-state.js';
import type { CxoneModel } from './cxone-model.js';
import type { FieldVariant } from './cxone-faults.js';
import type { ReportedState } from './cxone-realism.js';
import type { EmuAgent, EmuCode, EmuContact, EmuTeam } from './cxone-model-types.js';
import { iso } from './cxone-router.js';

const MEDIA_NAMES: Readonly<Record<number, string>> = {
  1: 'Email',
  3: 'Chat',
  4: 'Phone Call',
  5: 'Voice Mail',
  6: 'Work Item',
  9: 'Digital',
};

/**
 * One `agentStates[]` record of the Real-Time Data API (reference §2.1), in the requested
 * field-name variant: the agent's live state, or `reported` (what a lagging feed shows).
 */
export function agentStateRecord(
  model: CxoneModel,
  agentId: number,
  variant: FieldVariant,
  pollTime: number,
  reported?: ReportedState,
): Record<string, unknown> {
  const agent = model.agent(agentId)!;
  const st = reported?.st ?? model.stateOf(agentId);
  const contact = reported ? reported.contact : model.contacts.get(st.contactId);
  const skill = contact ? model.skills.get(contact.skillId) : undefined;
  const team = model.teams.get(agent.teamId);
  const mediaTypeId = st.contactId ? (contact?.mediaTypeId ?? 4) : 0;
  const media =
    variant === 'legacy'
      ? {
          mediaType: mediaTypeId,
          mediaName: MEDIA_NAMES[mediaTypeId] ?? '',
          isAcw: st.isAcw,
          lastPollTime: iso(pollTime),
        }
      : {
          mediaTypeId,
          mediaTypeName: MEDIA_NAMES[mediaTypeId] ?? '',
          isACW: st.isAcw,
          agentStateCategory: st.state,
          sessionStartTime: st.sessionStartTime ? iso(st.sessionStartTime) : null,
        };
  return {
    agentId,
    agentStateId: ACD_STATE_IDS[st.state],
    agentStateName: st.state,
    businessUnitId: model.businessUnitId,
    contactId: st.contactId,
    isActive: agent.isActive,
    isOutbound: contact?.isOutbound ?? false,
    firstName: agent.firstName,
    lastName: agent.lastName,
    userName: agent.userName,
    fromAddress: contact?.fromAddress ?? '',
    toAddress: contact?.toAddress ?? '',
    lastUpdateTime: iso(st.lastUpdateTime),
    openContacts: contact ? 1 : 0,
    outStateId: st.outStateId,
    outStateDescription: st.outStateDescription,
    skillId: contact?.skillId || null,
    skillName: skill?.skillName ?? '',
    startDate: iso(contact?.startTime ?? st.lastUpdateTime),
    stationId: st.state === 'LoggedOut' ? 0 : agent.stationId,
    stationPhoneNumber: agent.stationPhoneNumber,
    teamId: agent.teamId,
    teamName: team?.teamName ?? '',
    ...media,
  };
}

/** One `activeContacts[]` record (reference §2.2 `GET /contacts/active`). */
export function contactRecord(model: CxoneModel, c: EmuContact): Record<string, unknown> {
  const skill = model.skills.get(c.skillId);
  const poc =
    c.pointOfContactId !== undefined
      ? { pointOfContactId: c.pointOfContactId, pointOfContactName: `PoC ${skill?.skillName ?? c.skillId}` }
      : { pointOfContactId: null, pointOfContactName: '' };
  return {
    contactId: c.contactId,
    masterContactId: c.masterContactId,
    agentId: c.agentId,
    targetAgentId: c.targetAgentId ?? null,
    skillId: c.skillId,
    skillName: skill?.skillName ?? '',
    mediaTypeId: c.mediaTypeId,
    mediaTypeName: MEDIA_NAMES[c.mediaTypeId] ?? '',
    stateId: 4,
    stateName: 'Active',
    contactStateCategory: 'With Agent',
    isOutbound: c.isOutbound,
    fromAddress: c.fromAddress,
    toAddress: c.toAddress,
    ...poc,
    teamId: model.agent(c.agentId)?.teamId ?? null,
    campaignId: null,
    lastUpdateTime: iso(c.lastUpdateTime),
  };
}

export function skillRecord(model: CxoneModel, skillId: number): Record<string, unknown> | undefined {
  const s = model.skills.get(skillId);
  if (!s) return undefined;
  const acw = s.acwCodeId !== undefined ? model.codes.get(s.acwCodeId) : undefined;
  return {
    skillId: s.skillId,
    skillName: s.skillName,
    mediaTypeId: s.mediaTypeId,
    mediaTypeName: MEDIA_NAMES[s.mediaTypeId] ?? '',
    isOutbound: s.isOutbound,
    isActive: s.isActive,
    acwTypeId: s.useAcw ? 2 : 1,
    useACW: s.useAcw,
    stateIdACW: s.acwCodeId ?? 0,
    stateNameACW: acw?.name ?? '',
    maxSecondsACW: s.maxSecondsACW,
    acwPostTimeoutStateId: s.acwPostTimeoutStateId,
    acwPostTimeoutStateName: model.codes.get(s.acwPostTimeoutStateId)?.name ?? 'Available',
    requireDisposition: false,
  };
}

export function teamRecord(t: EmuTeam, agentCount: number): Record<string, unknown> {
  return {
    teamId: t.teamId,
    teamName: t.teamName,
    teamUuid: t.teamUuid,
    isActive: t.isActive,
    description: '',
    notes: '',
    agentCount,
    divisionNo: 0,
  };
}

/** Agent fields useful for Teams mapping (reference §5.3). */
export function agentRecord(model: CxoneModel, a: EmuAgent): Record<string, unknown> {
  const team = model.teams.get(a.teamId);
  return {
    agentId: a.agentId,
    userID: a.userId,
    userName: a.userName,
    emailAddress: a.emailAddress,
    firstName: a.firstName,
    middleName: '',
    lastName: a.lastName,
    isActive: a.isActive,
    locked: false,
    teamId: a.teamId,
    teamName: team?.teamName ?? '',
    teamUuId: team?.teamUuid ?? '',
    federatedId: a.federatedId,
    internalId: '',
    profileId: 1,
    isSupervisor: false,
    timeZone: 'UTC',
  };
}

/** Team unavailable codes in the current or the older `resultSet` shape (reference §5.2). */
export function teamCodesBody(t: EmuTeam, codes: readonly EmuCode[], variant: FieldVariant): Record<string, unknown> {
  if (variant === 'legacy') {
    const list = codes.map((c) => ({
      outStateId: c.id,
      outStateName: c.name,
      isActive: c.isActive,
      isAcw: c.isAcw,
      agentTimeoutMins: c.agentTimeoutMins,
    }));
    return { resultSet: { teamId: t.teamId, teamName: t.teamName, teamUuid: t.teamUuid, unavailableCodes: list } };
  }
  const list = codes.map((c) => ({
    outstateId: c.id,
    outstateName: c.name,
    isActive: c.isActive,
    isAcw: c.isAcw,
    agentTimeoutMins: String(c.agentTimeoutMins),
  }));
  return { teamId: t.teamId, teamName: t.teamName, teamUuid: t.teamUuid, divisionNo: 0, unavailableCodes: list };
}
