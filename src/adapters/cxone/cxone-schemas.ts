import { z } from 'zod';

/**
 * zod schemas for every CXone answer the adapter reads. CXone field names vary between API
 * versions (reference §2.1, §5.2, §8): each schema accepts the known variants and normalises them
 * to one shape, so nothing past this file sees `isAcw` vs `isACW` or `mediaType` vs `mediaTypeId`.
 */

/** CXone ids arrive as integers, numeric strings or null; the domain keeps strings. */
const id = z.union([z.number(), z.string()]).transform((v) => String(v));
const optionalId = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' || v === 0 || v === '0' ? undefined : String(v)));
/** Booleans also come as "True"/"False" strings (reference §3.2). */
const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'));
const num = z.union([z.number(), z.string()]).transform((v) => Number(v));
const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

export const openIdConfigurationSchema = z.object({ issuer: z.string().optional(), token_endpoint: z.url() });

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: num,
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const tokenClaimsSchema = z.object({
  tenantId: z.string().min(1),
  icBUId: id.optional(),
  icAgentId: id.optional(),
});

export const cxoneConfigurationSchema = z.object({
  api_endpoint: z.url(),
  area: z.string().optional(),
  tenantId: z.string().optional(),
});

/** Error bodies: auth `{error, errorDescription|error_description}`, admin `{error, error_Description}` (reference §8). */
export const errorBodySchema = z
  .object({
    error: z.string().optional(),
    errorDescription: z.string().optional(),
    error_description: z.string().optional(),
    error_Description: z.string().optional(),
    message: z.string().optional(),
  })
  .transform((b) => ({
    error: b.error,
    description: b.errorDescription ?? b.error_description ?? b.error_Description ?? b.message,
  }));

const rawAgentState = z.object({
  agentId: id.refine((v) => v.trim() !== '', 'empty agentId'),
  agentStateId: num.optional(),
  agentStateName: z.string(),
  outStateId: num.optional(),
  outstateId: num.optional(),
  outStateCode: num.optional(),
  outStateDescription: str,
  isACW: bool.optional(),
  isAcw: bool.optional(),
  contactId: optionalId,
  mediaTypeId: num.nullish(),
  mediaType: num.nullish(),
  mediaTypeName: z.string().nullish(),
  mediaName: z.string().nullish(),
  isOutbound: bool.optional(),
  skillId: optionalId,
  skillName: str,
  fromAddress: str,
  toAddress: str,
  teamId: optionalId,
  lastUpdateTime: z.string(),
  lastPollTime: z.string().optional(),
});

/** One Real-Time agent state, normalised (reference §2.1). */
export const agentStateSchema = rawAgentState.transform((r) => ({
  agentId: r.agentId,
  stateName: r.agentStateName,
  outStateId: r.outStateId ?? r.outstateId ?? r.outStateCode ?? 0,
  outStateDescription: r.outStateDescription,
  isAcw: r.isACW ?? r.isAcw ?? false,
  contactId: r.contactId,
  mediaTypeId: r.mediaTypeId ?? r.mediaType ?? 0,
  isOutbound: r.isOutbound ?? false,
  skillId: r.skillId,
  skillName: r.skillName,
  toAddress: r.toAddress,
  teamId: r.teamId,
  lastUpdateTime: r.lastUpdateTime,
  lastPollTime: r.lastPollTime,
}));
export type RtdAgentState = z.infer<typeof agentStateSchema>;

const links = z.object({ next: z.string().nullish() }).partial().optional();

/** A record of an `agents/states` page that could not be read: skipped, and reported with why. */
export interface RejectedAgentState {
  /** Position on its page. */
  readonly index: number;
  /** The record's agentId when it has a usable one. */
  readonly agentId?: string;
  readonly reason: string;
}

/**
 * An `agents/states` page. Records are parsed one by one: a malformed record (e.g. an empty
 * `agentId`) is skipped and listed in `rejectedAgentStates`, so the good records on the same page
 * still arrive. Only a page whose envelope is unreadable (e.g. `agentStates` not a list) fails.
 */
export const agentStatesPageSchema = z
  .object({
    totalRecords: num.optional(),
    _links: links,
    lastPollTime: z.string().optional(),
    agentStates: z.array(z.unknown()).default([]),
  })
  .transform(({ agentStates, ...page }) => {
    const good: RtdAgentState[] = [];
    const rejected: RejectedAgentState[] = [];
    agentStates.forEach((raw, index) => {
      const r = agentStateSchema.safeParse(raw);
      if (r.success) good.push(r.data);
      else rejected.push({ index, ...agentIdOf(raw), reason: describeIssue(r.error.issues[0]) });
    });
    return { ...page, agentStates: good, rejectedAgentStates: rejected };
  });
export type AgentStatesPage = z.infer<typeof agentStatesPageSchema>;

function agentIdOf(raw: unknown): { agentId?: string } {
  const v = typeof raw === 'object' && raw !== null ? (raw as { agentId?: unknown }).agentId : undefined;
  return (typeof v === 'string' && v.trim() !== '') || typeof v === 'number' ? { agentId: String(v) } : {};
}

function describeIssue(issue: z.ZodError['issues'][number] | undefined): string {
  return issue ? `${issue.path.join('.') || '(record)'}: ${issue.message}` : 'unreadable record';
}

/** One `contacts/active` record (reference §2.2). */
export const activeContactSchema = z
  .object({
    contactId: id,
    masterContactId: optionalId,
    agentId: optionalId,
    targetAgentId: optionalId,
    skillId: optionalId,
    skillName: str,
    mediaTypeId: num.nullish(),
    mediaType: num.nullish(),
    isOutbound: bool.optional(),
    fromAddress: str,
    toAddress: str,
    pointOfContactId: optionalId,
  })
  .transform((c) => ({ ...c, mediaTypeId: c.mediaTypeId ?? c.mediaType ?? 0, isOutbound: c.isOutbound ?? false }));
export type ActiveContact = z.infer<typeof activeContactSchema>;

export const activeContactsPageSchema = z.object({
  _links: links,
  lastPollTime: z.string().optional(),
  activeContacts: z.array(activeContactSchema).default([]),
});
export type ActiveContactsPage = z.infer<typeof activeContactsPageSchema>;

export const skillSchema = z.object({ skillId: id, skillName: str, mediaTypeId: num, isOutbound: bool.optional() });

export const teamSchema = z.object({
  teamId: id,
  teamName: str,
  isActive: bool.optional().transform((v) => v ?? true),
});
export const teamsPageSchema = z.object({
  _links: links,
  totalRecords: num.optional(),
  teams: z.array(teamSchema).default([]),
});

export const agentSchema = z.object({
  agentId: id,
  firstName: str,
  lastName: str,
  userName: str,
  emailAddress: z.string().nullish(),
  federatedId: z.string().nullish(),
  teamId: id,
  isActive: bool.optional().transform((v) => v ?? true),
});
export const agentsPageSchema = z.object({
  _links: links,
  totalRecords: num.optional(),
  agents: z.array(agentSchema).default([]),
});

const unavailableCode = z
  .object({
    outstateId: id.optional(),
    outStateId: id.optional(),
    outstateName: z.string().optional(),
    outStateName: z.string().optional(),
    isActive: bool.optional(),
    isAcw: bool.optional(),
  })
  .refine((c) => (c.outstateId ?? c.outStateId) !== undefined, 'unavailable code without outstateId/outStateId')
  .transform((c) => ({
    id: (c.outstateId ?? c.outStateId)!,
    name: c.outstateName ?? c.outStateName ?? '',
    isActive: c.isActive ?? true,
    isAcw: c.isAcw ?? false,
  }));

/** Team unavailable codes in the current or the older `resultSet`-wrapped shape (reference §5.2). */
export const teamUnavailableCodesSchema = z
  .union([
    z.object({ resultSet: z.object({ unavailableCodes: z.array(unavailableCode).default([]) }) }),
    z.object({ unavailableCodes: z.array(unavailableCode).default([]) }),
  ])
  .transform((b) => ('resultSet' in b ? b.resultSet.unavailableCodes : b.unavailableCodes));
