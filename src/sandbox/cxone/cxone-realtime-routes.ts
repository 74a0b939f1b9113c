import type { CxoneFaults } from './cxone-faults.js';
import type { CxoneFeedHistory } from './cxone-feed-history.js';
import type { CxoneModel } from './cxone-model.js';
import { agentStateRecord, contactRecord, skillRecord } from './cxone-records.js';
import {
  adminError,
  iso,
  json,
  page,
  project,
  sinceParam,
  type EmuRequest,
  type EmuResponse,
  type EmuRouter,
} from './cxone-router.js';
import type { CxoneReportedStates } from './cxone-realism.js';
import { requestAgentState } from './cxone-state-writes.js';

/**
 * Real-Time Data (reference §2.1–2.2, §9.3) and the state write (§4, §9.5). `updatedSince` is
 * inclusive: a change stamped in the same millisecond as the previous `lastPollTime` is sent again
 * rather than lost (a client dedupes it by its stable event id).
 */
export function registerRealtimeRoutes(
  router: EmuRouter,
  model: CxoneModel,
  faults: CxoneFaults,
  history?: CxoneFeedHistory,
  reported?: CxoneReportedStates,
): void {
  router.on('GET', '/agents/states', (req) => agentStates(req, model, faults, history, reported));
  router.on('GET', '/agents/{agentId}/states', (req) => oneAgentStates(req, model, faults));
  router.on('GET', '/contacts/active', (req) => activeContacts(req, model));
  router.on('GET', '/skills/{skillId}', (req) => {
    const rec = skillRecord(model, Number(req.params.skillId));
    return rec ? json(200, rec) : adminError(404, 'SkillNotFound', `Skill ${req.params.skillId} was not found.`);
  });
  router.on('POST', '/agents/{agentId}/state', (req) => writeState(req, model, faults));
  // Reference §4/§5.3: force-ends the agent's session (inferred: no login by API without a station).
  router.on('POST', '/agents/{agentId}/logout', (req) => {
    const agentId = Number(req.params.agentId);
    if (!model.agent(agentId)) return adminError(404, 'AgentNotFound', `Agent ${req.params.agentId} was not found.`);
    model.logout(agentId);
    return json(202);
  });
}

function agentStates(
  req: EmuRequest,
  model: CxoneModel,
  faults: CxoneFaults,
  history: CxoneFeedHistory | undefined,
  reported: CxoneReportedStates | undefined,
): EmuResponse {
  const pollTime = model.clock.now();
  const since = sinceParam(req);
  if (typeof since !== 'number') return since;
  // Under a reporting lag the feed shows each agent as it was `lag` ago (README "Real-Time feed lag").
  const shown = reported && reported.lag > 0 ? reported.at(pollTime) : undefined;
  const ids = [...(shown ?? model.states).entries()]
    .filter(([, s]) => ('st' in s ? s.st : s).lastUpdateTime >= since)
    .map(([id]) => id)
    .sort((a, b) => a - b);
  const p = page(req, ids, 100);
  const replayed = replays(req, faults, history, new Set(p.items));
  if (ids.length === 0 && replayed.length === 0 && since > 0 && faults.emptyDeltaStatus !== 200)
    return json(faults.emptyDeltaStatus);
  const current = p.items.map((id) => agentStateRecord(model, id, faults.variant, pollTime, shown?.get(id)));
  // Replays go after the current records: a duplicate, or an older record arriving after a newer one.
  const agentStates = [...current, ...replayed].map((r) => project(r, req.query.get('fields')));
  return json(200, { totalRecords: p.totalRecords, _links: p._links, lastPollTime: iso(pollTime), agentStates });
}

/** Injected replays ride on the first page only, so each is delivered once per `times`. */
function replays(
  req: EmuRequest,
  faults: CxoneFaults,
  history: CxoneFeedHistory | undefined,
  onPage: ReadonlySet<number>,
): Record<string, unknown>[] {
  if (!history || Number(req.query.get('skip') ?? 0) > 0) return [];
  return faults
    .takeReplays(onPage)
    .map((r) => history.recordOf(r.agentId, r.back))
    .filter((r): r is Record<string, unknown> => r !== undefined);
}

function oneAgentStates(req: EmuRequest, model: CxoneModel, faults: CxoneFaults): EmuResponse {
  const agentId = Number(req.params.agentId);
  const st = model.states.get(agentId);
  if (!st) return adminError(404, 'AgentNotFound', `Agent ${req.params.agentId} was not found.`);
  const pollTime = model.clock.now();
  const since = sinceParam(req);
  if (typeof since !== 'number') return since;
  const changed = st.lastUpdateTime >= since;
  const agentStates = changed
    ? [project(agentStateRecord(model, agentId, faults.variant, pollTime), req.query.get('fields'))]
    : [];
  return json(200, { lastPollTime: iso(pollTime), agentStates });
}

function activeContacts(req: EmuRequest, model: CxoneModel): EmuResponse {
  const since = sinceParam(req);
  if (typeof since !== 'number') return since;
  const agentId = req.query.get('agentId');
  const all = [...model.contacts.values()].filter(
    (c) => c.lastUpdateTime >= since && (agentId === null || String(c.agentId) === agentId),
  );
  const p = page(
    req,
    all.sort((a, b) => a.contactId - b.contactId),
    100,
  );
  const activeContacts = p.items.map((c) => project(contactRecord(model, c), req.query.get('fields')));
  return json(200, {
    totalRecords: p.totalRecords,
    _links: p._links,
    businessUnitId: model.businessUnitId,
    lastPollTime: iso(model.clock.now()),
    activeContacts,
  });
}

function writeState(req: EmuRequest, model: CxoneModel, faults: CxoneFaults): EmuResponse {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const rawCode = body.outStateId ?? body.outstateId;
  const outStateId = rawCode === undefined || rawCode === null || rawCode === '' ? undefined : Number(rawCode);
  if (outStateId !== undefined && !Number.isInteger(outStateId))
    return adminError(400, 'InvalidOutState', 'outStateId must be an integer.');
  const agentId = Number(req.params.agentId);
  // Injected race: the agent logs out after the client decided to write and before the write lands.
  if (faults.takeLogoutBeforeWrite(agentId) && model.states.get(agentId)?.state !== 'LoggedOut') model.logout(agentId);
  const answer = requestAgentState(model, agentId, String(body.state ?? ''), outStateId);
  // Reference §4: success is an empty body, 200/202 (inferred): 202 here, as for other agent actions (§8).
  return answer.ok ? json(202) : adminError(answer.status, answer.error, answer.description);
}
