import type { CxoneModel } from './cxone-model.js';
import { AVAILABLE_OUT_STATE, isReservedOutState, UNAVAILABLE_OUT_STATE } from './cxone-model.js';

/** The answer of `POST /agents/{agentId}/state` (reference §4). */
export type StateWriteAnswer =
  | { readonly ok: true; readonly outcome: 'applied' | 'queued' }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly description: string };

const ON_CONTACT = new Set(['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer']);

const refuse = (status: number, error: string, description: string): StateWriteAnswer => ({
  ok: false,
  status,
  error,
  description,
});

/**
 * Reference §4 rules of an API state change. Only the 409 for an ACW code without a contact is
 * documented (Studio SET AGENT STATE help); the other statuses and every `error` name are the
 * emulator's own (README "State-write errors"), and the product decides on statuses only.
 * Unavailable without a code, or with the reserved code 3, is the default Unavailable (NICE help
 * "Reserved Unavailable Codes"); any other reserved out-state cannot be requested.
 */
export function requestAgentState(
  model: CxoneModel,
  agentId: number,
  state: string,
  outStateId: number | undefined,
): StateWriteAnswer {
  const agent = model.agent(agentId);
  if (!agent) return refuse(404, 'AgentNotFound', `Agent ${agentId} was not found.`);
  if (state !== 'Available' && state !== 'Unavailable')
    return refuse(400, 'InvalidState', 'Only Available or Unavailable can be requested.');
  const codeId = state === 'Unavailable' ? (outStateId ?? UNAVAILABLE_OUT_STATE) : AVAILABLE_OUT_STATE;
  const code = model.codes.get(codeId);
  const customer = !isReservedOutState(codeId);
  if (state === 'Unavailable' && !customer && codeId !== UNAVAILABLE_OUT_STATE)
    return refuse(400, 'InvalidOutState', `Out-state ${codeId} is reserved and cannot be requested.`);
  if (customer && (!code || !model.teams.get(agent.teamId)?.codeIds.includes(codeId) || !code.isActive)) {
    return refuse(400, 'InvalidOutState', `Unavailable code ${codeId} is not assigned to the agent's team.`);
  }
  const st = model.stateOf(agentId);
  if (st.state === 'LoggedOut') return refuse(409, 'AgentNotLoggedIn', `Agent ${agentId} is not logged in.`);
  const onContact = ON_CONTACT.has(st.state);
  if (code?.isAcw && !onContact && !st.isAcw)
    return refuse(409, 'AcwStateRequiresContact', 'An ACW code can only be used while handling a contact.');
  if (onContact) {
    st.next = { state, outStateId: codeId };
    model.notify({ kind: 'state', agentId });
    return { ok: true, outcome: 'queued' };
  }
  // In ACW the request ends ACW now (inferred: ACW is not "on a contact").
  delete st.next;
  delete st.acwPostTimeout;
  model.enter(agentId, state, { outStateId: codeId });
  return { ok: true, outcome: 'applied' };
}
