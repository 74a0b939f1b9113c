import { z } from 'zod';
import type { CxoneFaults } from './cxone-faults.js';
import { faultSettingsSchema } from './cxone-faults.js';
import { cxoneRealismSchema, type CxoneRealism } from './cxone-realism.js';
import type { CxoneIdentity } from './cxone-identity.js';
import type { CxoneModel } from './cxone-model.js';
import { UNAVAILABLE_OUT_STATE } from './cxone-model.js';
import { json, type EmuRequest, type EmuResponse, type EmuRouter } from './cxone-router.js';
import {
  agentChoosesState,
  endContact,
  ScenarioError,
  startAgentCall,
  startConsult,
  startCustomerContact,
  startSkillCall,
} from './cxone-scenarios.js';
import type { SandboxClock } from '../sandbox-clock.js';

/** The scenario driver (reference §9.6): NOT part of CXone; served under `/_control` with zod-checked bodies. */
export const CONTROL_PREFIX = '/_control';

const stateBody = z.object({ state: z.enum(['Available', 'Unavailable']), outStateId: z.number().int().optional() });
const contactBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('customer'),
    agentId: z.number().int(),
    skillId: z.number().int(),
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    mediaTypeId: z.number().int().optional(),
  }),
  z.object({
    type: z.literal('digital'),
    agentId: z.number().int(),
    skillId: z.number().int(),
    mediaTypeId: z.number().int().default(9),
  }),
  z.object({ type: z.literal('consult'), agentId: z.number().int(), targetAgentId: z.number().int() }),
  z.object({ type: z.literal('agentCall'), agentId: z.number().int(), targetAgentId: z.number().int() }),
  z.object({
    type: z.literal('skillCall'),
    agentId: z.number().int(),
    skillId: z.number().int(),
    targetAgentId: z.number().int().optional(),
  }),
]);
type ContactBody = z.infer<typeof contactBody>;
const clockBody = z.object({
  advanceMs: z.number().int().nonnegative().optional(),
  setMs: z.number().int().optional(),
});
const tokenBody = z.object({
  revokeAll: z.boolean().optional(),
  lifetimeSec: z.number().int().positive().optional(),
  fail: z
    .object({
      times: z.number().int().positive(),
      status: z.union([z.literal(400), z.literal(401), z.literal(503)]).default(400),
      grants: z
        .array(z.enum(['password', 'refresh_token']))
        .min(1)
        .default(['password', 'refresh_token']),
    })
    .optional(),
  /** Ends injected token failures (the identity provider recovers). */
  recover: z.boolean().optional(),
});
const codeBody = z.object({ codeId: z.number().int() });

export interface ControlDeps {
  readonly model: CxoneModel;
  readonly faults: CxoneFaults;
  readonly setRealism?: (realism: CxoneRealism) => void;
  readonly identity: CxoneIdentity;
  readonly clock: SandboxClock;
}

/** Runs a scenario step: bad bodies → 400 with zod's issues, impossible steps → 409. */
function step<S extends z.ZodType>(
  schema: S,
  run: (body: z.infer<S>, req: EmuRequest) => unknown,
): (req: EmuRequest) => EmuResponse {
  return (req) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) return json(400, { error: 'BadRequest', issues: parsed.error.issues });
    try {
      return json(200, run(parsed.data, req) ?? { ok: true });
    } catch (e) {
      if (e instanceof ScenarioError || e instanceof RangeError)
        return json(409, { error: 'ScenarioConflict', message: e.message });
      throw e;
    }
  };
}

function startContact(model: CxoneModel, b: ContactBody): { contactId: number } {
  switch (b.type) {
    case 'customer':
      return startCustomerContact(model, b);
    case 'digital':
      return startCustomerContact(model, { ...b, direction: 'inbound' });
    case 'consult':
      return startConsult(model, b.agentId, b.targetAgentId);
    case 'agentCall':
      return startAgentCall(model, b.agentId, b.targetAgentId);
    case 'skillCall':
      return startSkillCall(model, b.agentId, b.skillId, b.targetAgentId);
  }
}

export function registerControlRoutes(router: EmuRouter, deps: ControlDeps): void {
  const { model, faults, identity, clock } = deps;
  const agentId = (req: EmuRequest): number => Number(req.params.agentId);
  const p = CONTROL_PREFIX;
  router.on(
    'POST',
    `${p}/agents/{agentId}/login`,
    step(stateBody.partial(), (b, req) =>
      model.login(agentId(req), { state: b.state ?? 'Unavailable', outStateId: b.outStateId ?? UNAVAILABLE_OUT_STATE }),
    ),
  );
  router.on(
    'POST',
    `${p}/agents/{agentId}/logout`,
    step(z.object({}), (_b, req) => model.logout(agentId(req))),
  );
  router.on(
    'POST',
    `${p}/agents/{agentId}/state`,
    step(stateBody, (b, req) => agentChoosesState(model, agentId(req), b.state, b.outStateId)),
  );
  router.on('GET', `${p}/agents/{agentId}`, (req) => json(200, { ...model.stateOf(agentId(req)) }));
  // An administrator moves the agent to another team: the directory answers it at once, the
  // Real-Time record carries it from the agent's next state change.
  router.on(
    'POST',
    `${p}/agents/{agentId}/team`,
    step(z.object({ teamId: z.number().int() }), (b, req) => {
      const agent = model.agents.get(agentId(req));
      if (!agent) throw new ScenarioError(`agent ${agentId(req)} does not exist`);
      if (!model.teams.has(b.teamId)) throw new ScenarioError(`team ${b.teamId} does not exist`);
      agent.teamId = b.teamId;
    }),
  );
  router.on(
    'POST',
    `${p}/contacts`,
    step(contactBody, (b) => ({ contactId: startContact(model, b).contactId })),
  );
  router.on(
    'POST',
    `${p}/contacts/{contactId}/end`,
    step(z.object({}), (_b, req) => endContact(model, Number(req.params.contactId))),
  );
  router.on(
    'POST',
    `${p}/teams/{teamId}/codes`,
    step(codeBody, (b, req) => model.teams.get(Number(req.params.teamId))?.codeIds.push(b.codeId)),
  );
  router.on(
    'POST',
    `${p}/clock`,
    step(clockBody, (b) => {
      if (b.advanceMs !== undefined) clock.advance(b.advanceMs);
      if (b.setMs !== undefined) clock.set(b.setMs);
      return { now: clock.now() };
    }),
  );
  router.on(
    'POST',
    `${p}/faults`,
    step(faultSettingsSchema, (b) => faults.configure(b)),
  );
  router.on(
    'POST',
    `${p}/realism`,
    step(cxoneRealismSchema, (b) => deps.setRealism?.(b)),
  );
  router.on('DELETE', `${p}/faults`, () => (faults.reset(), identity.clearTokenFailures(), json(200, { ok: true })));
  router.on(
    'POST',
    `${p}/tokens`,
    step(tokenBody, (b) => {
      if (b.lifetimeSec !== undefined) identity.setTokenLifetime(b.lifetimeSec);
      if (b.revokeAll) identity.revokeAllAccessTokens();
      if (b.fail) identity.failTokenRequests(b.fail);
      if (b.recover) identity.clearTokenFailures();
    }),
  );
}
