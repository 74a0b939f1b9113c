import type { RuleProblem } from '../../../application/rules/rule-errors.js';
import type { UserMappingProblem } from '../../../application/users/user-mapping-errors.js';
import { problem, toPointer, type ApiProblem } from './api-problem.js';

const TITLES: Record<string, [number, string]> = {
  'ACD.NOT_CONNECTED': [409, 'CXone not connected'],
  'ACD.UNAVAILABLE': [503, 'CXone unavailable'],
  'GRAPH.NOT_CONNECTED': [409, 'Microsoft Graph not connected'],
  'GRAPH.UNAVAILABLE': [503, 'Microsoft Graph unavailable'],
  'RULE.NOT_FOUND': [404, 'Rule not found'],
  'RULE.VERSION_CONFLICT': [409, 'Rule changed meanwhile'],
  'RULE.INVALID': [422, 'Rule not valid'],
  'DRY_RUN.TARGET_NOT_FOUND': [404, 'Agent not found'],
  'USER_LINK.AGENT_NOT_FOUND': [404, 'Agent not found'],
  'USER_LINK.USER_NOT_FOUND': [422, 'Teams user not found'],
  'USER_LINK.USER_ALREADY_LINKED': [409, 'Teams user already linked'],
  'USER_LINK.NOT_FOUND': [404, 'Link not found'],
  'CSV.MALFORMED': [400, 'Malformed CSV'],
  'CSV.MISSING_COLUMN': [400, 'CSV column missing'],
  'CSV.INVALID_ROWS': [422, 'CSV rows not valid'],
};

/** Every problem code the API answers with, and its status: the catalogue the tab keys on (also in the OpenAPI document). */
export const API_PROBLEM_CODES: Readonly<Record<string, number>> = Object.freeze({
  'AUTH.MISSING_TOKEN': 401,
  'AUTH.INVALID_TOKEN': 401,
  'AUTH.TENANT_NOT_ALLOWED': 403,
  'AUTH.KEYS_UNAVAILABLE': 503,
  'AUTH.NO_ROLE': 403,
  'AUTH.ADMIN_REQUIRED': 403,
  'API.INVALID_QUERY': 400,
  'API.INVALID_BODY': 400,
  'API.MALFORMED_JSON': 400,
  'API.UNSUPPORTED_MEDIA_TYPE': 415,
  'API.BODY_TOO_LARGE': 413,
  'API.NO_SUCH_ROUTE': 404,
  'API.INTERNAL': 500,
  'CONNECTION.NOT_CONFIGURED': 409,
  'GRAPH.CONSENT_REQUIRED': 403,
  'TRACE.AGENT_NOT_FOUND': 404,
  'TENANT.NOT_ONBOARDED': 404,
  'TRACE.TOO_MANY_STREAMS': 429,
  ...Object.fromEntries(Object.entries(TITLES).map(([code, [status]]) => [code, status])),
});

/** Application problem → HTTP problem: the only place the codes meet status numbers. */
export function toApiProblem(p: RuleProblem | UserMappingProblem): ApiProblem {
  const [status, title] = TITLES[p.code] ?? [500, 'Error'];
  const headers: Record<string, string> = {};
  if ('failure' in p && p.failure.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.ceil(p.failure.retryAfterMs / 1000));
  if (p.code === 'RULE.INVALID') {
    return problem(status, p.code, title, p.message, {
      errors: p.problems.map((d) => ({ pointer: toPointer(d.path), code: d.code, detail: d.message })),
    });
  }
  if (p.code === 'CSV.INVALID_ROWS') {
    return problem(status, p.code, title, p.message, {
      errors: p.rows.map((r) => ({ pointer: `/rows/${r.row}/${r.column}`, code: r.code, detail: r.message })),
    });
  }
  if (p.code === 'CSV.MALFORMED') return problem(status, p.code, title, `${p.message} (line ${p.line})`);
  return problem(status, p.code, title, p.message, { headers });
}
