import type { AcdAgent } from '../../../application/ports.js';
import { directoryOf, loadTeams, unavailable, type DirectoryFor } from '../../../application/rules/rule-catalog.js';
import { AVAILABILITIES, PREFERRED_PRESENCE_PAIRS, SESSION_PRESENCE_PAIRS } from '../../../domain/presence.js';
import { toApiProblem } from './api-problem-map.js';
import { fail, json, route, type ApiRoute } from './api-route.js';

const agentView = (a: AcdAgent) => ({
  agentId: a.agentId,
  name: `${a.firstName} ${a.lastName}`.trim(),
  userName: a.userName,
  email: a.email ?? null,
  teamId: a.teamId,
  isActive: a.isActive,
});

/** What the rule and mapping editors offer: ACD teams with their unavailable codes, agents, Teams presences. */
export function lookupRoutes(directoryFor: DirectoryFor): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/lookups/teams',
      operationId: 'listAcdTeams',
      summary: 'ACD teams with their unavailable codes',
      access: 'admin',
      responses: [
        { status: 200, description: 'Teams' },
        { status: 409, description: 'CXone not connected' },
        { status: 503, description: 'CXone unavailable' },
      ],
      handle: async ({ caller }) => {
        const directory = await directoryOf(directoryFor, caller.tenantId);
        if (!directory.ok) return fail(toApiProblem(directory.error));
        const teams = await loadTeams(directory.value);
        return teams.ok ? json(200, { items: teams.value }) : fail(toApiProblem(teams.error));
      },
    }),
    route({
      method: 'get',
      path: '/lookups/agents',
      operationId: 'listAcdAgents',
      summary: 'ACD agents (user-scoped rules, mapping)',
      access: 'admin',
      responses: [
        { status: 200, description: 'Agents' },
        { status: 409, description: 'CXone not connected' },
      ],
      handle: async ({ caller }) => {
        const directory = await directoryOf(directoryFor, caller.tenantId);
        if (!directory.ok) return fail(toApiProblem(directory.error));
        const agents = await directory.value.listAgents();
        return agents.ok
          ? json(200, { items: agents.value.map(agentView) })
          : fail(toApiProblem(unavailable(agents.error)));
      },
    }),
    route({
      method: 'get',
      path: '/lookups/presences',
      operationId: 'listTeamsPresences',
      summary: 'Teams presences a rule may set or match',
      access: 'admin',
      responses: [{ status: 200, description: 'Presence vocabularies' }],
      handle: async () =>
        json(200, {
          session: SESSION_PRESENCE_PAIRS,
          preferred: PREFERRED_PRESENCE_PAIRS,
          availabilities: AVAILABILITIES,
        }),
    }),
  ];
}
