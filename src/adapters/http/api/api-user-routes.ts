import type { UserCsv } from '../../../application/users/user-csv.js';
import type { UserMappingProblem } from '../../../application/users/user-mapping-errors.js';
import type { UserMappingService } from '../../../application/users/user-mapping-service.js';
import type { Result } from '../../../domain/result.js';
import { toApiProblem } from './api-problem-map.js';
import { fail, json, route, type ApiRoute, type RouteOutcome } from './api-route.js';
import { applyMatchesSchema, csvBodySchema, importQuerySchema, linkSchema } from './api-schemas.js';
import type { Caller } from './sso-token-verifier.js';

const actor = (c: Caller) => ({ tenantId: c.tenantId, name: c.name });
const answer = <T>(r: Result<T, UserMappingProblem>, status = 200): RouteOutcome =>
  r.ok ? json(status, r.value) : fail(toApiProblem(r.error));
const upstream = [
  { status: 409, description: 'CXone or Graph not connected' },
  { status: 503, description: 'CXone or Graph unavailable' },
];

/** ACD agent ↔ Teams user mapping. */
export function userRoutes(mapping: UserMappingService, csv: UserCsv): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/users',
      operationId: 'listUserMappings',
      summary: 'Every ACD agent with its Teams user link',
      access: 'admin',
      responses: [{ status: 200, description: 'Rows' }, ...upstream],
      handle: async ({ caller }) => {
        const rows = await mapping.list(caller.tenantId);
        return rows.ok ? json(200, { items: rows.value }) : fail(toApiProblem(rows.error));
      },
    }),
    route({
      method: 'post',
      path: '/users/auto-match/preview',
      operationId: 'previewAutoMatch',
      summary: 'Propose links by e-mail / UPN / user name (changes nothing)',
      access: 'admin',
      responses: [{ status: 200, description: 'Proposals, conflicts, unmatched agents' }, ...upstream],
      handle: async ({ caller }) => answer(await mapping.preview(caller.tenantId)),
    }),
    route({
      method: 'post',
      path: '/users/auto-match/apply',
      operationId: 'applyAutoMatch',
      summary: 'Link the previewed pairs that the current preview still proposes',
      access: 'admin',
      body: applyMatchesSchema,
      responses: [{ status: 200, description: 'Applied, unchanged and rejected pairs' }, ...upstream],
      handle: async ({ caller, body }) => answer(await mapping.apply(actor(caller), body.pairs)),
    }),
    route({
      method: 'put',
      path: '/users/:agentId/link',
      operationId: 'linkUser',
      summary: 'Manually link an agent to a Teams user',
      access: 'admin',
      body: linkSchema,
      responses: [
        { status: 200, description: 'Linked' },
        { status: 404, description: 'Unknown agent' },
        { status: 409, description: 'User linked to another agent' },
        { status: 422, description: 'Unknown Teams user' },
      ],
      handle: async ({ caller, params, body }) =>
        answer(await mapping.link(actor(caller), params['agentId'] ?? '', body.teamsUserId)),
    }),
    route({
      method: 'del',
      path: '/users/:agentId/link',
      operationId: 'unlinkUser',
      summary: 'Remove the link of an agent',
      access: 'admin',
      responses: [
        { status: 204, description: 'Unlinked' },
        { status: 404, description: 'No link' },
      ],
      handle: async ({ caller, params }) => {
        const r = await mapping.unlink(actor(caller), params['agentId'] ?? '');
        return r.ok ? json(204, null) : fail(toApiProblem(r.error));
      },
    }),
    route({
      method: 'get',
      path: '/users/export',
      operationId: 'exportUserMappings',
      summary: 'The mapping table as CSV',
      access: 'admin',
      responses: [{ status: 200, description: 'CSV', contentType: 'text/csv' }, ...upstream],
      handle: async ({ caller }) => {
        const r = await csv.export(caller.tenantId);
        if (!r.ok) return fail(toApiProblem(r.error));
        return {
          status: 200,
          raw: r.value,
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': 'attachment; filename="presence-sync-users.csv"' },
        };
      },
    }),
    route({
      method: 'post',
      path: '/users/import',
      operationId: 'importUserMappings',
      summary: 'Import a mapping CSV: validated per row, applied all-or-nothing (?dryRun=true validates only)',
      access: 'admin',
      body: csvBodySchema,
      bodyKind: 'csv',
      query: importQuerySchema,
      responses: [
        { status: 200, description: 'Linked, unlinked, unchanged agents' },
        { status: 400, description: 'Malformed CSV' },
        { status: 422, description: 'Row problems; nothing changed' },
      ],
      handle: async ({ caller, body, query }) => answer(await csv.import(actor(caller), body, query.dryRun === 'true')),
    }),
  ];
}
