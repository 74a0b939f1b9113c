import type { CxoneFaults } from './cxone-faults.js';
import type { CxoneModel } from './cxone-model.js';
import { agentRecord, teamCodesBody, teamRecord } from './cxone-records.js';
import {
  adminError,
  iso,
  json,
  page,
  project,
  type EmuRequest,
  type EmuResponse,
  type EmuRouter,
} from './cxone-router.js';

/** Directory (reference §5, §9.4): teams, agents, team unavailable codes (both shapes), BU code catalogue. */
export function registerDirectoryRoutes(router: EmuRouter, model: CxoneModel, faults: CxoneFaults): void {
  router.on('GET', '/teams', (req) => teams(req, model));
  router.on('GET', '/teams/{teamId}', (req) => oneTeam(req, model));
  router.on('GET', '/teams/{teamId}/agents', (req) => teamAgents(req, model));
  router.on('GET', '/teams/{teamId}/unavailable-codes', (req) => teamCodes(req, model, faults));
  router.on('GET', '/agents', (req) => agents(req, model));
  router.on('GET', '/agents/{agentId}', (req) => oneAgent(req, model));
  router.on('GET', '/unavailable-codes', (req) => codes(req, model));
}

const activeFilter = (req: EmuRequest): ((x: { isActive: boolean }) => boolean) => {
  const v = req.query.get('isActive');
  return (x) => v === null || String(x.isActive) === v.toLowerCase();
};

const agentCount = (model: CxoneModel, teamId: number): number =>
  [...model.agents.values()].filter((a) => a.teamId === teamId).length;

function teams(req: EmuRequest, model: CxoneModel): EmuResponse {
  const p = page(req, [...model.teams.values()].filter(activeFilter(req)), 100);
  const list = p.items.map((t) => project(teamRecord(t, agentCount(model, t.teamId)), req.query.get('fields')));
  return json(200, {
    _links: p._links,
    businessUnitId: model.businessUnitId,
    lastPollTime: iso(model.clock.now()),
    totalRecords: p.totalRecords,
    teams: list,
  });
}

function oneTeam(req: EmuRequest, model: CxoneModel): EmuResponse {
  const t = model.teams.get(Number(req.params.teamId));
  if (!t) return adminError(404, 'TeamNotFound', `Team ${req.params.teamId} was not found.`);
  return json(200, {
    businessUnitId: model.businessUnitId,
    lastPollTime: iso(model.clock.now()),
    teams: [teamRecord(t, agentCount(model, t.teamId))],
  });
}

function teamAgents(req: EmuRequest, model: CxoneModel): EmuResponse {
  const t = model.teams.get(Number(req.params.teamId));
  if (!t) return adminError(404, 'TeamNotFound', `Team ${req.params.teamId} was not found.`);
  const p = page(req, [...model.agents.values()].filter((a) => a.teamId === t.teamId).filter(activeFilter(req)), 100);
  const list = p.items.map((a) => project(agentRecord(model, a), req.query.get('fields')));
  return json(200, {
    _links: p._links,
    totalRecords: p.totalRecords,
    lastPollTime: iso(model.clock.now()),
    teams: [{ ...teamRecord(t, p.totalRecords), agents: list }],
  });
}

function teamCodes(req: EmuRequest, model: CxoneModel, faults: CxoneFaults): EmuResponse {
  const t = model.teams.get(Number(req.params.teamId));
  if (!t) return adminError(404, 'TeamNotFound', `Team ${req.params.teamId} was not found.`);
  const activeOnly = (req.query.get('activeOnly') ?? req.query.get('activityOnly')) === 'true';
  const list = model.teamCodes(t.teamId).filter((c) => !activeOnly || c.isActive);
  return json(200, teamCodesBody(t, list, faults.variant));
}

function agents(req: EmuRequest, model: CxoneModel): EmuResponse {
  const p = page(req, [...model.agents.values()].filter(activeFilter(req)), 100);
  const list = p.items.map((a) => project(agentRecord(model, a), req.query.get('fields')));
  return json(200, {
    businessUnitId: model.businessUnitId,
    _links: p._links,
    lastPollTime: iso(model.clock.now()),
    totalRecords: p.totalRecords,
    hiddenAgents: 0,
    agents: list,
  });
}

function oneAgent(req: EmuRequest, model: CxoneModel): EmuResponse {
  const key = req.params.agentId ?? '';
  const a = model.agent(Number(key)) ?? [...model.agents.values()].find((x) => x.userId === key);
  return a
    ? json(200, { agents: [agentRecord(model, a)] })
    : adminError(404, 'AgentNotFound', `Agent ${key} was not found.`);
}

function codes(req: EmuRequest, model: CxoneModel): EmuResponse {
  const p = page(req, [...model.codes.values()].filter(activeFilter(req)), 100);
  const list = p.items.map((c) => ({
    id: c.id,
    name: c.name,
    isActive: c.isActive,
    isACW: c.isAcw,
    agentTimeout: c.agentTimeoutMins,
  }));
  return json(200, {
    totalRecords: p.totalRecords,
    businessUnitId: model.businessUnitId,
    unavailableCodes: list,
    _links: p._links,
  });
}
