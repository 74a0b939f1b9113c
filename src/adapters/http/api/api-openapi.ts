import { z } from 'zod';
import { API_PROBLEM_CODES } from './api-problem-map.js';
import type { ApiRoute } from './api-route.js';

export const API_BASE = '/api/v1';

/** `/rules/:ruleId` → `/api/v1/rules/{ruleId}` */
export const openApiPath = (path: string): string => API_BASE + path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '');
const schemaOf = (s: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: {
      type: 'string',
      description: 'Stable problem code (see x-problem-codes; field errors of a rule carry the domain RULE.* codes)',
      examples: Object.keys(API_PROBLEM_CODES),
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'code', 'detail'],
        properties: { pointer: { type: 'string' }, code: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
};
const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

function operation(r: ApiRoute): Record<string, unknown> {
  const query = r.query ? schemaOf(r.query) : undefined;
  const queryProps = (query?.['properties'] ?? {}) as Record<string, unknown>;
  const required = new Set((query?.['required'] ?? []) as string[]);
  const parameters = [
    ...pathParams(r.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(queryProps).map(([name, schema]) => ({
      name,
      in: 'query',
      required: required.has(name),
      schema,
    })),
  ];
  const responses: Record<string, unknown> = {};
  for (const doc of r.responses) {
    const type = doc.contentType ?? (doc.status >= 400 ? 'application/problem+json' : 'application/json');
    const schema = doc.schema ? schemaOf(doc.schema) : doc.status >= 400 ? problemRef : {};
    responses[String(doc.status)] =
      doc.status === 204
        ? { description: doc.description }
        : { description: doc.description, content: { [type]: { schema } } };
  }
  if (r.access !== 'public') {
    responses['401'] = problemResponse('Missing, expired or invalid SSO token');
    responses['403'] =
      responses['403'] ??
      problemResponse(
        r.access === 'admin'
          ? 'The PresenceSync.Admin role is required'
          : r.access === 'signed-in'
            ? 'The tenant may not use this deployment'
            : 'A PresenceSync role is required',
      );
  }
  if (r.query || r.body) responses['400'] = responses['400'] ?? problemResponse('Malformed request (errors per field)');
  if (r.body) responses['413'] = problemResponse('Body too large');
  const body = r.body
    ? {
        required: true,
        content: { [r.bodyKind === 'csv' ? 'text/csv' : 'application/json']: { schema: schemaOf(r.body) } },
      }
    : undefined;
  return {
    operationId: r.operationId,
    summary: r.summary,
    'x-access': r.access,
    ...(r.access === 'public' ? { security: [] } : {}),
    parameters,
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** OpenAPI 3.1 of the tab API, built from the same route table (and zod schemas) the server registers. */
export function buildOpenApi(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const method = r.method === 'del' ? 'delete' : r.method;
    (paths[openApiPath(r.path)] ??= {})[method] = operation(r);
  }
  paths[`${API_BASE}/openapi.json`] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      security: [],
      responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: {} } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Presence Sync tab API',
      version,
      description:
        'Tenant-scoped administration API of the Presence Sync Teams tab. Authenticate with the Teams SSO token.',
    },
    servers: [{ url: '/' }],
    security: [{ teamsSso: [] }],
    paths,
    components: {
      securitySchemes: {
        teamsSso: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Teams SSO token (authentication.getAuthToken); tenant = tid, roles PresenceSync.Admin / PresenceSync.Support',
        },
      },
      schemas: { Problem: problemSchema },
    },
    'x-problem-codes': API_PROBLEM_CODES,
  };
}
