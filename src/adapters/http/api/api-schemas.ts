import { z } from 'zod';
import { ACTIVITIES, AVAILABILITIES } from '../../../domain/presence.js';
import { RULE_DIRECTIONS } from '../../../domain/presence-rule.js';
import { PARTNER_PLATFORMS } from '../../../domain/tenant.js';

const id = z.string().trim().min(1).max(128);
const CONTACT_KINDS = ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'] as const;

export const acdStatePatternSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('Available') }),
  z.strictObject({ kind: z.literal('Unavailable'), codeId: id.optional() }),
  z.strictObject({ kind: z.literal('AfterCallWork') }),
  z.strictObject({ kind: z.enum(CONTACT_KINDS), counterpart: z.enum(['customer', 'agent', 'skill']).optional() }),
  z.strictObject({ kind: z.literal('LoggedIn') }),
  z.strictObject({ kind: z.literal('LoggedOut') }),
]);

export const teamsPresencePatternSchema = z.strictObject({
  availability: z.enum(AVAILABILITIES),
  activity: z.enum(ACTIVITIES).optional(),
});

export const ruleScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('team'), teamIds: z.array(id).max(1000) }),
  z.strictObject({ kind: z.literal('user'), agentIds: z.array(id).max(5000) }),
]);

/** A rule as the editor sends it; defaults make a minimal publisher rule short to write. */
export const ruleDraftSchema = z.strictObject({
  name: z.string().trim().max(120),
  partnerPlatform: z.enum(PARTNER_PLATFORMS).default('msteams'),
  direction: z.enum(RULE_DIRECTIONS),
  scope: ruleScopeSchema,
  mappings: z.array(z.strictObject({ acd: acdStatePatternSchema, teams: teamsPresencePatternSchema })).max(100),
  enabled: z.boolean().default(true),
  manualStatusPolicy: z.enum(['respect', 'override']).default('respect'),
  noSyncStates: z.array(acdStatePatternSchema).max(100).default([]),
  debounceMs: z.number().int().min(0).max(600_000).default(0),
});

const version = z.number().int().min(0);
export const ruleUpdateSchema = ruleDraftSchema.extend({ version });
export const ruleEnabledSchema = z.strictObject({ enabled: z.boolean(), version });

export const dryRunSchema = z.strictObject({
  rule: ruleDraftSchema,
  ruleId: id.optional(),
  target: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('agent'), agentId: id }),
    z.strictObject({ kind: z.literal('team'), teamId: id }),
  ]),
});

export const linkSchema = z.strictObject({ teamsUserId: id });
export const applyMatchesSchema = z.strictObject({
  pairs: z.array(z.strictObject({ agentId: id, teamsUserId: id })).max(20_000),
});
export const csvBodySchema = z.string().max(10 * 1024 * 1024);
export const importQuerySchema = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

export const settingsSchema = z.strictObject({
  /** Both sides are compared this often (drift correction). */
  reconciliationPeriodSec: z.number().int().min(60).max(86_400),
  traceRetentionDays: z.number().int().min(1).max(90),
});
export type TenantSettings = z.infer<typeof settingsSchema>;

const issuerUrl = z.url({ protocol: /^https$/ });
const secret = z.string().min(1).max(512);
/**
 * Secrets may be left out on update: the stored ones are kept. So may the issuer: without one
 * stored, the deployment's CXone (CXONE_AUTH_BASE_URL) is used, and an edit must not replace it
 * with a default the admin never chose.
 */
export const cxoneConnectionSchema = z.strictObject({
  issuerUrl: issuerUrl.optional(),
  clientId: id,
  clientSecret: secret.optional(),
  accessKeyId: id,
  accessKeySecret: secret.optional(),
});
/** Credentials to try before they are stored: any field left out is taken from the stored connection. */
export const cxoneCandidateSchema = z.strictObject({
  issuerUrl: issuerUrl.optional(),
  clientId: id.optional(),
  clientSecret: secret.optional(),
  accessKeyId: id.optional(),
  accessKeySecret: secret.optional(),
});

const epochMs = z.coerce.number().int().min(0);
export const traceQuerySchema = z.strictObject({
  agent: z.string().trim().min(1).max(256),
  from: epochMs.optional(),
  to: epochMs.optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
export const liveQuerySchema = z.strictObject({ agent: z.string().trim().min(1).max(256) });
export const auditQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const peopleQuerySchema = z.strictObject({ search: z.string().trim().min(1).max(100) });
/** Entra's redirect: `code` + `state`, or `error` + `error_description` (+ `state`). Extra parameters (session_state, client_info) are ignored. */
export const signInCallbackQuerySchema = z.object({
  state: z.string().min(1).max(4096),
  code: z.string().min(1).max(8192).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
