import type { CxoneModel } from './cxone-model.js';
import { AVAILABLE_OUT_STATE, UNAVAILABLE_OUT_STATE } from './cxone-model.js';
import type { EmuContact, EmuContactKind } from './cxone-model-types.js';

/** Thrown when a scenario step is impossible (the control API answers 409 with the message). */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

const VOICE = 4;
const DIGITAL = 9;
const WORKING = new Set(['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer']);

function requireRoutable(model: CxoneModel, agentId: number): void {
  const st = model.stateOf(agentId);
  if (st.state === 'LoggedOut') throw new ScenarioError(`agent ${agentId} is logged out`);
  if (WORKING.has(st.state)) throw new ScenarioError(`agent ${agentId} is already on contact ${st.contactId}`);
}

function requireSkill(model: CxoneModel, skillId: number): void {
  if (!model.skills.has(skillId)) throw new ScenarioError(`unknown skill ${skillId}`);
}

function addContact(
  model: CxoneModel,
  c: Omit<EmuContact, 'contactId' | 'masterContactId' | 'startTime' | 'lastUpdateTime' | 'ended'> & {
    contactId?: number;
    masterContactId?: number;
  },
): EmuContact {
  const now = model.clock.now();
  const contactId = c.contactId ?? model.newContactId();
  const contact: EmuContact = {
    ...c,
    contactId,
    masterContactId: c.masterContactId ?? contactId,
    startTime: now,
    lastUpdateTime: now,
    ended: false,
  };
  model.contacts.set(contactId, contact);
  model.notify({ kind: 'contact', contact });
  return contact;
}

function customerPhone(n: number): string {
  return `801555${String(n % 10_000).padStart(4, '0')}`;
}

export interface CustomerCallSpec {
  readonly agentId: number;
  readonly skillId: number;
  readonly direction: 'inbound' | 'outbound';
  /** 4 = voice (default); 9 = digital, 1 = e-mail, 3 = chat, 6 = work item (reference §2.3). */
  readonly mediaTypeId?: number;
}

/**
 * A routed (inbound, through a point of contact) or dialed (outbound) customer contact — reference
 * §3.3 CallType Regular. Inbound customer contacts carry a pointOfContactId (§3.4).
 */
export function startCustomerContact(model: CxoneModel, spec: CustomerCallSpec): EmuContact {
  requireRoutable(model, spec.agentId);
  requireSkill(model, spec.skillId);
  const agent = model.agent(spec.agentId)!;
  const mediaTypeId = spec.mediaTypeId ?? VOICE;
  const inbound = spec.direction === 'inbound';
  const kind: EmuContactKind = mediaTypeId === VOICE ? 'customer' : 'digital';
  const phone = customerPhone(model.contacts.size + spec.agentId);
  const from = mediaTypeId === VOICE ? phone : `customer${spec.agentId}@example.com`;
  const c = addContact(model, {
    agentId: spec.agentId,
    skillId: spec.skillId,
    mediaTypeId,
    isOutbound: !inbound,
    kind,
    fromAddress: inbound ? from : agent.stationPhoneNumber,
    toAddress: inbound ? '8005550199' : phone,
    ...(inbound ? { pointOfContactId: 9_000_000 + spec.skillId } : {}),
  });
  model.enter(spec.agentId, inbound ? 'InboundContact' : 'OutboundContact', { contactId: c.contactId });
  return c;
}

/** A digital (DFO, mediaTypeId 9) contact (reference §2.3, §9.6). */
export function startDigitalContact(model: CxoneModel, agentId: number, skillId: number): EmuContact {
  return startCustomerContact(model, { agentId, skillId, direction: 'inbound', mediaTypeId: DIGITAL });
}

function startAgentLegs(
  model: CxoneModel,
  agentId: number,
  targetAgentId: number,
  kind: 'consult' | 'agentCall',
  masterContactId?: number,
): EmuContact {
  const caller = model.agent(agentId)!;
  const callee = model.agent(targetAgentId);
  if (!callee) throw new ScenarioError(`unknown agent ${targetAgentId}`);
  requireRoutable(model, targetAgentId);
  const legs = { skillId: 0, mediaTypeId: VOICE, kind } as const;
  const out = addContact(model, {
    ...legs,
    agentId,
    targetAgentId,
    isOutbound: true,
    fromAddress: caller.stationPhoneNumber,
    toAddress: callee.stationPhoneNumber,
    ...(masterContactId ? { masterContactId } : {}),
  });
  const inn = addContact(model, {
    ...legs,
    agentId: targetAgentId,
    targetAgentId: agentId,
    isOutbound: false,
    masterContactId: masterContactId ?? out.contactId,
    fromAddress: caller.stationPhoneNumber,
    toAddress: callee.stationPhoneNumber,
  });
  model.enter(agentId, 'OutboundConsult', { contactId: out.contactId });
  model.enter(targetAgentId, 'InboundConsult', { contactId: inn.contactId });
  return out;
}

/** Agent-to-agent call through the callee's personal queue (§3.1 dial-agent, CallType PersonalQueue): OutboundConsult / InboundConsult (§3.3). */
export function startAgentCall(model: CxoneModel, agentId: number, targetAgentId: number): EmuContact {
  requireRoutable(model, agentId);
  return startAgentLegs(model, agentId, targetAgentId, 'agentCall');
}

/** A consult from a customer contact (§3.1 consult-agent, CallType Consult); the customer is held. */
export function startConsult(model: CxoneModel, agentId: number, targetAgentId: number): EmuContact {
  const st = model.stateOf(agentId);
  const held = model.contacts.get(st.contactId);
  if (!held || (st.state !== 'InboundContact' && st.state !== 'OutboundContact'))
    throw new ScenarioError(`agent ${agentId} is not on a contact to consult from`);
  st.heldContactId = held.contactId;
  return startAgentLegs(model, agentId, targetAgentId, 'consult', held.masterContactId);
}

/**
 * An agent calls a skill queue (§3.1 dial-skill). Routed like a customer contact (§3.4, inferred)
 * but with no point of contact and no external number; optionally answered by `targetAgentId`.
 */
export function startSkillCall(
  model: CxoneModel,
  agentId: number,
  skillId: number,
  targetAgentId?: number,
): EmuContact {
  requireRoutable(model, agentId);
  requireSkill(model, skillId);
  const caller = model.agent(agentId)!;
  const out = addContact(model, {
    agentId,
    skillId,
    mediaTypeId: VOICE,
    kind: 'skillCall',
    isOutbound: true,
    fromAddress: caller.stationPhoneNumber,
    toAddress: '',
  });
  model.enter(agentId, 'OutboundContact', { contactId: out.contactId });
  if (targetAgentId !== undefined) {
    requireRoutable(model, targetAgentId);
    const inn = addContact(model, {
      agentId: targetAgentId,
      skillId,
      mediaTypeId: VOICE,
      kind: 'skillCall',
      isOutbound: false,
      fromAddress: caller.stationPhoneNumber,
      toAddress: '',
      linkedContactId: out.contactId,
    });
    model.enter(targetAgentId, 'InboundContact', { contactId: inn.contactId });
  }
  return out;
}

/** Ends a contact and every leg sharing its master (or pairing with it), then moves each agent on. */
export function endContact(model: CxoneModel, contactId: number): void {
  const c = model.contacts.get(contactId);
  if (!c) throw new ScenarioError(`no active contact ${contactId}`);
  const legs = [...model.contacts.values()].filter((o) => o.contactId === contactId || isOtherLeg(c, o));
  for (const leg of legs) {
    leg.ended = true;
    leg.lastUpdateTime = model.clock.now();
    model.contacts.delete(leg.contactId);
    model.notify({ kind: 'contact', contact: leg });
  }
  for (const leg of legs) afterContact(model, leg);
}

function isOtherLeg(c: EmuContact, o: EmuContact): boolean {
  if (c.kind === 'skillCall') return o.linkedContactId === c.contactId || c.linkedContactId === o.contactId;
  if (c.kind !== 'consult' && c.kind !== 'agentCall') return false;
  return o.kind === c.kind && (o.masterContactId === c.masterContactId || o.masterContactId === c.contactId);
}

function afterContact(model: CxoneModel, leg: EmuContact): void {
  const st = model.stateOf(leg.agentId);
  if (st.contactId !== leg.contactId) return;
  const held = st.heldContactId !== undefined ? model.contacts.get(st.heldContactId) : undefined;
  delete st.heldContactId;
  if (held)
    return model.enter(leg.agentId, held.isOutbound ? 'OutboundContact' : 'InboundContact', {
      contactId: held.contactId,
    });
  const skill = model.skills.get(leg.skillId);
  const acw =
    skill?.useAcw &&
    (leg.kind === 'customer' || leg.kind === 'digital' || (leg.kind === 'skillCall' && !leg.isOutbound));
  if (!acw) return model.enterNext(leg.agentId, { state: 'Available', outStateId: AVAILABLE_OUT_STATE });
  // Reference §6: ACW = Unavailable + ACW flag with the skill's ACW code; times out into the post-timeout state.
  model.enter(leg.agentId, 'Unavailable', {
    outStateId: skill.acwCodeId ?? UNAVAILABLE_OUT_STATE,
    isAcw: true,
    contactId: leg.contactId,
  });
  const post =
    skill.acwPostTimeoutStateId === AVAILABLE_OUT_STATE
      ? { state: 'Available' as const, outStateId: AVAILABLE_OUT_STATE }
      : { state: 'Unavailable' as const, outStateId: skill.acwPostTimeoutStateId };
  st.acwPostTimeout = post;
  if (skill.maxSecondsACW > 0) model.schedule(st, model.clock.now() + skill.maxSecondsACW * 1000, 'acwEnd');
}

/** The agent (not the API) picks a state in their agent app — any code, including ACW ones while in ACW. */
export function agentChoosesState(
  model: CxoneModel,
  agentId: number,
  state: 'Available' | 'Unavailable',
  outStateId?: number,
): void {
  const st = model.stateOf(agentId);
  if (st.state === 'LoggedOut') throw new ScenarioError(`agent ${agentId} is logged out`);
  if (WORKING.has(st.state)) throw new ScenarioError(`agent ${agentId} is on a contact`);
  model.enter(agentId, state, outStateId !== undefined ? { outStateId } : {});
}
