import type { CxoneModel } from './cxone-model.js';
import { adminError, json, type EmuRequest, type EmuResponse, type EmuRouter } from './cxone-router.js';
import type { CxoneSessions } from './cxone-sessions.js';
import { requestAgentState } from './cxone-state-writes.js';

const bodyOf = (req: EmuRequest): Record<string, unknown> =>
  typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};

/** Agent-session endpoints (reference §3.1, §9.7); body fields also accepted as query parameters (§3.1). */
export function registerSessionRoutes(router: EmuRouter, model: CxoneModel, sessions: CxoneSessions): void {
  router.on('POST', '/agent-sessions/join', (req) => join(req, model, sessions));
  router.on('GET', '/agent-sessions/{sessionId}/get-next-event', async (req) => {
    const r = await sessions.nextEvents(req.params.sessionId ?? '', Number(req.query.get('timeout') ?? 0) || 0);
    if (r.status === 200) return json(200, { sessionId: r.sessionId, events: r.events });
    return r.status === 409 ? adminError(409, 'SessionNotFound', 'The agent session has ended.') : json(304);
  });
  router.on('POST', '/agent-sessions/{sessionId}/state', (req) => sessionState(req, model, sessions));
  router.on('DELETE', '/agent-sessions/{sessionId}', (req) => {
    const agentId = sessions.agentOf(req.params.sessionId ?? '');
    if (agentId === undefined) return adminError(409, 'SessionNotFound', 'The agent session has ended.');
    model.logout(agentId);
    return json(202);
  });
}

function join(req: EmuRequest, model: CxoneModel, sessions: CxoneSessions): EmuResponse {
  const agentId = Number(bodyOf(req).asAgentId ?? req.query.get('asAgentId'));
  if (!model.agent(agentId)) return adminError(404, 'InvalidAgentId', `Agent ${agentId} was not found.`);
  const sessionId = sessions.join(agentId);
  return sessionId
    ? json(202, { sessionId })
    : adminError(409, 'InvalidAgentSession', `Agent ${agentId} has no session to join.`);
}

/** `{state, reason}`: the reason is an unavailable code NAME from the agent's team (reference §3.1, §4). */
function sessionState(req: EmuRequest, model: CxoneModel, sessions: CxoneSessions): EmuResponse {
  const agentId = sessions.agentOf(req.params.sessionId ?? '');
  if (agentId === undefined) return adminError(409, 'SessionNotFound', 'The agent session has ended.');
  const body = bodyOf(req);
  const state = String(body.state ?? req.query.get('state') ?? '');
  const reason = String(body.reason ?? req.query.get('reason') ?? '');
  let outStateId: number | undefined;
  if (state === 'Unavailable' && reason !== '') {
    outStateId = model
      .teamCodes(model.agent(agentId)!.teamId)
      .find((c) => c.name.toLowerCase() === reason.toLowerCase())?.id;
    if (outStateId === undefined)
      return adminError(400, 'InvalidOutState', `Unavailable code "${reason}" is not assigned to the agent's team.`);
  }
  const answer = requestAgentState(model, agentId, state, outStateId);
  return answer.ok ? json(202) : adminError(answer.status, answer.error, answer.description);
}
