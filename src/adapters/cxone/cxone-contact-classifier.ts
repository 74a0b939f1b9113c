import type { AcdContact, AcdStateName, Counterpart } from '../../domain/agent-state.js';
import type { ActiveContact, RtdAgentState } from './cxone-schemas.js';

/** Reference §2.3: only mediaTypeId 4 (Phone Call) is voice; e-mail, chat, voice mail, work items and DFO are not. */
export const VOICE_MEDIA_TYPE_ID = 4;

const CONSULT_STATES: readonly string[] = ['InboundConsult', 'OutboundConsult'] satisfies AcdStateName[];

/**
 * Who is on the other end of the contact an agent is working (reference §3.4):
 * - InboundConsult / OutboundConsult ⇒ another agent (consult, or an agent-to-agent call);
 * - a contact leg pointing at another agent (`targetAgentId`) or a secondary leg (`masterContactId ≠ contactId`) ⇒ agent;
 * - a routed contact that came through a point of contact ⇒ customer;
 * - a routed contact with no point of contact (dial-skill, routed like a customer contact) ⇒ skill;
 * - a dialled contact with no external number (the caller's side of dial-skill) ⇒ skill; else customer.
 * Without a contacts/active record (the contact ended between the two reads) only the agent-state
 * fields are used: consult states ⇒ agent, outbound with no address ⇒ skill, else customer.
 */
export function counterpartOf(state: RtdAgentState, contact: ActiveContact | undefined): Counterpart {
  if (CONSULT_STATES.includes(state.stateName)) return 'agent';
  if (!contact) return state.isOutbound && state.toAddress === '' ? 'skill' : 'customer';
  if (contact.targetAgentId !== undefined) return 'agent';
  if (contact.masterContactId !== undefined && contact.masterContactId !== contact.contactId) return 'agent';
  if (contact.pointOfContactId !== undefined) return 'customer';
  if (!contact.isOutbound) return 'skill';
  return contact.toAddress === '' ? 'skill' : 'customer';
}

/** The domain contact for an agent-state record, or undefined when the agent has no contact. */
export function classifyContact(
  state: RtdAgentState,
  contact: ActiveContact | undefined,
  skillMediaTypeId?: number,
): AcdContact | undefined {
  if (state.contactId === undefined) return undefined;
  const mediaTypeId = state.mediaTypeId || contact?.mediaTypeId || skillMediaTypeId || 0;
  const skillId = state.skillId ?? contact?.skillId;
  const skillName = state.skillName || contact?.skillName;
  return {
    contactId: state.contactId,
    media: mediaTypeId === VOICE_MEDIA_TYPE_ID ? 'voice' : 'digital',
    mediaTypeId,
    counterpart: counterpartOf(state, contact),
    isOutbound: contact?.isOutbound ?? state.isOutbound,
    ...(skillId !== undefined ? { skillId } : {}),
    ...(skillName ? { skillName } : {}),
  };
}
