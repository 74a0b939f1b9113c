import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../../../application/ports.js';
import { err, ok, type Result } from '../../../domain/result.js';
import { readBody, sendBody, sendJson, sendProblem } from './api-http.js';
import { problem, toPointer, type ApiProblem, type FieldError } from './api-problem.js';
import type { ApiRoute, RouteOutcome } from './api-route.js';
import type { Caller, SsoVerifier } from './sso-token-verifier.js';
import type { TabApiLimits } from './api-deps.js';

export interface RunnerDeps {
  readonly verifier: SsoVerifier;
  readonly logger: Logger;
  readonly limits: TabApiLimits;
}

type RestifyLikeRequest = IncomingMessage & { readonly params?: Record<string, string> };

export const zodErrors = (error: z.ZodError, prefix = ''): FieldError[] =>
  error.issues.map((i) => ({
    pointer: prefix + toPointer(i.path),
    code: `FIELD.${i.code.toUpperCase()}`,
    detail: i.message,
  }));

/** The restify handler of one route: auth → role → query → body → use case → response, all problems as problem+json. */
export function routeHandler(
  r: ApiRoute,
  deps: RunnerDeps,
): (req: RestifyLikeRequest, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const instance = (req.url ?? '').split('?')[0] ?? '';
    try {
      const outcome = await run(r, req, res, deps);
      respond(res, outcome, instance);
    } catch (e) {
      deps.logger.error(
        { err: e instanceof Error ? e.message : String(e), route: r.operationId },
        'tab API request failed',
      );
      sendProblem(
        res,
        problem(500, 'API.INTERNAL', 'Internal error', 'The request failed unexpectedly; it has been logged.'),
        instance,
      );
    }
  };
}

function respond(res: ServerResponse, outcome: RouteOutcome, instance: string): void {
  if ('streamed' in outcome) return;
  if ('problem' in outcome) sendProblem(res, outcome.problem, instance);
  else if ('raw' in outcome) sendBody(res, outcome.status, outcome.raw, outcome.contentType, outcome.headers ?? {});
  else sendJson(res, outcome.status, outcome.json);
}

const NOBODY: Caller = Object.freeze({ tenantId: '', userId: '', name: 'anonymous', access: 'none', token: '' });

async function run(r: ApiRoute, req: RestifyLikeRequest, res: ServerResponse, deps: RunnerDeps): Promise<RouteOutcome> {
  const caller = r.access === 'public' ? ok(NOBODY) : await deps.verifier(req.headers.authorization);
  if (!caller.ok) return { problem: caller.error };
  const denied = authorize(r, caller.value);
  if (denied) return { problem: denied };
  const query = parseQuery(r, req);
  if (!query.ok) return { problem: query.error };
  const body = r.body ? await parseBody(r, r.body, req, deps.limits) : ok(undefined);
  if (!body.ok) return { problem: body.error };
  return r.handle({ caller: caller.value, params: req.params ?? {}, body: body.value, query: query.value, req, res });
}

function authorize(r: ApiRoute, caller: Caller): ApiProblem | undefined {
  if (r.access === 'public' || r.access === 'signed-in') return undefined;
  if (caller.access === 'none')
    return problem(
      403,
      'AUTH.NO_ROLE',
      'Forbidden',
      'Your account has no Presence Sync role in this tenant; ask a tenant admin to assign one.',
    );
  if (r.access === 'admin' && caller.access !== 'admin')
    return problem(
      403,
      'AUTH.ADMIN_REQUIRED',
      'Forbidden',
      'Only Presence Sync admins may do this; support staff can read Health Check and Log Reader.',
    );
  return undefined;
}

function parseQuery(r: ApiRoute, req: IncomingMessage): Result<unknown, ApiProblem> {
  if (!r.query) return ok(undefined);
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const parsed = r.query.safeParse(Object.fromEntries(params.entries()));
  if (parsed.success) return ok(parsed.data);
  return err(
    problem(400, 'API.INVALID_QUERY', 'Invalid query string', 'Some query parameters are not valid.', {
      errors: zodErrors(parsed.error, '/query'),
    }),
  );
}

async function parseBody(
  r: ApiRoute,
  schema: z.ZodType,
  req: IncomingMessage,
  limits: TabApiLimits,
): Promise<Result<unknown, ApiProblem>> {
  const csv = r.bodyKind === 'csv';
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const expected = csv ? ['text/csv', 'text/plain'] : ['application/json'];
  if (!expected.includes(type))
    return err(
      problem(415, 'API.UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', `Send the body as ${expected[0]}.`),
    );
  const limit = csv ? limits.csvBytes : limits.jsonBytes;
  const raw = await readBody(req, limit);
  if (!raw.ok)
    return err(
      problem(413, 'API.BODY_TOO_LARGE', 'Request body too large', `The body exceeds ${limit} bytes.`, {
        headers: { connection: 'close' },
      }),
    );
  const text = raw.value.toString('utf8');
  let value: unknown = text;
  if (!csv) {
    try {
      value = JSON.parse(text);
    } catch {
      return err(problem(400, 'API.MALFORMED_JSON', 'Malformed JSON', 'The body is not valid JSON.'));
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  return err(
    problem(400, 'API.INVALID_BODY', 'Invalid request body', 'Some fields are missing or not valid.', {
      errors: zodErrors(parsed.error),
    }),
  );
}
