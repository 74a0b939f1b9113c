import type { RuleDryRun } from '../../../application/rules/rule-dry-run.js';
import type { RuleService } from '../../../application/rules/rule-service.js';
import type { Result } from '../../../domain/result.js';
import type { RuleProblem } from '../../../application/rules/rule-errors.js';
import { toApiProblem } from './api-problem-map.js';
import { fail, json, route, type ApiRoute, type RouteOutcome } from './api-route.js';
import { dryRunSchema, ruleDraftSchema, ruleEnabledSchema, ruleUpdateSchema } from './api-schemas.js';
import type { Caller } from './sso-token-verifier.js';

const actor = (c: Caller) => ({ tenantId: c.tenantId, name: c.name });
const answer = <T>(r: Result<T, RuleProblem>, status = 200): RouteOutcome =>
  r.ok ? json(status, r.value) : fail(toApiProblem(r.error));
const ruleResponses = (status: number, description: string) => [
  { status, description },
  { status: 404, description: 'No such rule in your tenant' },
];

/** Presence rules: CRUD with optimistic versions, enable/disable, dry-run. */
export function ruleRoutes(rules: RuleService, dryRun: RuleDryRun): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/rules',
      operationId: 'listRules',
      summary: 'List presence rules',
      access: 'admin',
      responses: [{ status: 200, description: 'The rules' }],
      handle: async ({ caller }) => json(200, { items: await rules.list(caller.tenantId) }),
    }),
    route({
      method: 'post',
      path: '/rules',
      operationId: 'createRule',
      summary: 'Create a presence rule',
      access: 'admin',
      body: ruleDraftSchema,
      responses: [
        { status: 201, description: 'Created' },
        { status: 422, description: 'Rule not valid (errors per field)' },
      ],
      handle: async ({ caller, body }) => answer(await rules.create(actor(caller), body), 201),
    }),
    route({
      method: 'get',
      path: '/rules/:ruleId',
      operationId: 'getRule',
      summary: 'Get one rule',
      access: 'admin',
      responses: ruleResponses(200, 'The rule'),
      handle: async ({ caller, params }) => answer(await rules.get(caller.tenantId, params['ruleId'] ?? '')),
    }),
    route({
      method: 'put',
      path: '/rules/:ruleId',
      operationId: 'updateRule',
      summary: 'Replace a rule (body.version = the version you edited)',
      access: 'admin',
      body: ruleUpdateSchema,
      responses: [
        ...ruleResponses(200, 'Saved'),
        { status: 409, description: 'Changed meanwhile' },
        { status: 422, description: 'Rule not valid' },
      ],
      handle: async ({ caller, params, body }) => {
        const { version, ...draft } = body;
        return answer(await rules.update(actor(caller), params['ruleId'] ?? '', draft, version));
      },
    }),
    route({
      method: 'put',
      path: '/rules/:ruleId/enabled',
      operationId: 'setRuleEnabled',
      summary: 'Enable or disable a rule',
      access: 'admin',
      body: ruleEnabledSchema,
      responses: [...ruleResponses(200, 'Saved'), { status: 409, description: 'Changed meanwhile' }],
      handle: async ({ caller, params, body }) =>
        answer(await rules.setEnabled(actor(caller), params['ruleId'] ?? '', body.enabled, body.version)),
    }),
    route({
      method: 'del',
      path: '/rules/:ruleId',
      operationId: 'deleteRule',
      summary: 'Delete a rule',
      access: 'admin',
      responses: ruleResponses(204, 'Deleted'),
      handle: async ({ caller, params }) => {
        const r = await rules.delete(actor(caller), params['ruleId'] ?? '');
        return r.ok ? json(204, null) : fail(toApiProblem(r.error));
      },
    }),
    route({
      method: 'post',
      path: '/rules/dry-run',
      operationId: 'dryRunRule',
      summary: 'What a draft rule would do to an agent or a team right now',
      access: 'admin',
      body: dryRunSchema,
      responses: [
        { status: 200, description: 'Per agent: resolution and the effects decide would produce' },
        { status: 404, description: 'Unknown agent' },
      ],
      handle: async ({ caller, body }) =>
        answer(
          await dryRun.run({
            tenantId: caller.tenantId,
            draft: body.rule,
            target: body.target,
            ...(body.ruleId ? { ruleId: body.ruleId } : {}),
          }),
        ),
    }),
  ];
}
