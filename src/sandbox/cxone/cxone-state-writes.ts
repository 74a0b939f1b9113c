import type { CxoneModel } from './cxone-model.js';
import { NO_CODE } from './cxone-model.js';

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
 * Reference §4 rules of an API state change. The exact real error codes are unverified (§9.5), so
 * the emulator uses 404 unknown agent, 400 bad state / code not on the team, 409 ACW code without
 * a contact and 409 logged-out agent — each with a distinct `error` the adapter keys on.
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
  const codeId = state === 'Unavailable' ? (outStateId ?? NO_CODE) : NO_CODE;
  const code = model.codes.get(codeId);
  if (codeId !== NO_CODE && (!code || !model.teams.get(agent.teamId)?.codeIds.includes(codeId) || !code.isActive)) {
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
