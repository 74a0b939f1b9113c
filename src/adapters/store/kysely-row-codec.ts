import { z } from 'zod';
import { ACD_STATE_NAMES } from '../../domain/agent-state.js';
import { RULE_DIRECTIONS, type PresenceRule } from '../../domain/presence-rule.js';
import { PARTNER_PLATFORMS } from '../../domain/tenant.js';
import type { AcdWrite, AgentSyncState } from '../../domain/sync-state.js';
import { stateIsTarget } from '../../domain/match.js';
import type { SyncEvent } from '../../domain/effects.js';
import { StoreCorruptRowError } from './store-errors.js';

/**
 * zod schemas of what the store keeps as JSON. Objects are loose: a field another part of the
 * product adds later round-trips instead of being silently dropped; the fields we know are checked.
 */
const presence = z.looseObject({ availability: z.string(), activity: z.string() });
const acdTarget = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('Available') }),
  z.looseObject({ kind: z.literal('Unavailable'), codeId: z.string() }),
]);
const contact = z.looseObject({
  contactId: z.string(),
  media: z.enum(['voice', 'digital']),
  mediaTypeId: z.number(),
  counterpart: z.enum(['customer', 'agent', 'skill']),
  isOutbound: z.boolean(),
  skillId: z.string().optional(),
  skillName: z.string().optional(),
});
const acdState = z.looseObject({
  name: z.enum(ACD_STATE_NAMES),
  unavailableCode: z.looseObject({ id: z.string(), name: z.string() }).optional(),
  afterCallWork: z.boolean(),
  contact: contact.optional(),
});
const pattern = z.looseObject({
  kind: z.enum([
    'Available',
    'Unavailable',
    'AfterCallWork',
    'InboundContact',
    'OutboundContact',
    'InboundConsult',
    'OutboundConsult',
    'Dialer',
    'LoggedIn',
    'LoggedOut',
  ]),
  codeId: z.string().optional(),
  counterpart: z.enum(['customer', 'agent', 'skill']).optional(),
});

export const presenceRuleSchema = z.looseObject({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  partnerPlatform: z.enum(PARTNER_PLATFORMS),
  direction: z.enum(RULE_DIRECTIONS),
  scope: z.discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('team'), teamIds: z.array(z.string()) }),
    z.looseObject({ kind: z.literal('user'), agentIds: z.array(z.string()) }),
  ]),
  mappings: z.array(
    z.looseObject({
      acd: pattern,
      teams: z.looseObject({ availability: z.string(), activity: z.string().optional() }),
    }),
  ),
  enabled: z.boolean(),
  manualStatusPolicy: z.enum(['respect', 'override']),
  noSyncStates: z.array(pattern),
  debounceMs: z.number(),
  version: z.number(),
});

const heldWrite = z.looseObject({
  phase: z.enum(['requested', 'shown']),
  target: acdTarget,
  replaced: acdTarget,
  over: acdTarget,
  at: z.number(),
  ruleId: z.string(),
});
const releasedWrite = z.looseObject({ phase: z.literal('released'), target: acdTarget, at: z.number() });
const restoringWrite = z.looseObject({
  phase: z.literal('restoring'),
  target: acdTarget,
  replaced: acdTarget,
  at: z.number(),
});
/** Rows written before the write had a lifecycle: no phase, `over` optional, an undone write in `acdReleased`. */
const unphasedWrite = z.looseObject({
  target: acdTarget,
  replaced: acdTarget,
  at: z.number(),
  ruleId: z.string(),
  over: acdTarget.optional(),
  phase: z.undefined().optional(),
});

const storedAgentSyncState = z.looseObject({
  agentId: z.string(),
  teamsUserId: z.string().optional(),
  teamId: z.string().optional(),
  acd: z.looseObject({ state: acdState, sourceTime: z.number(), eventId: z.string() }).optional(),
  teams: z
    .looseObject({ presence, sequenceNumber: z.string().optional(), sourceTime: z.number(), eventId: z.string() })
    .optional(),
  published: z
    .looseObject({ presence: presence.nullable(), at: z.number(), ruleId: z.string(), preferred: z.boolean() })
    .optional(),
  acdWritten: z.union([heldWrite, releasedWrite, restoringWrite, unphasedWrite]).optional(),
  acdReleased: z.looseObject({ target: acdTarget, at: z.number() }).optional(),
  pending: z.looseObject({ dueAt: z.number(), reason: z.string() }).optional(),
});

/**
 * Reads the rows of both shapes. An unphased write is `shown` when the ACD seen last shows it,
 * else `requested` (while held, the only other state the old shape kept it through was one from
 * before the write, or a contact CXone applies it after); `over` defaults to `replaced` as the old
 * code read it. An old `acdReleased` becomes the released write, unless a newer write is held.
 */
function upgradeStoredState(row: z.output<typeof storedAgentSyncState>): AgentSyncState {
  const { acdReleased, acdWritten, ...rest } = row;
  const write: AcdWrite | undefined =
    acdWritten === undefined || acdWritten.phase !== undefined
      ? acdWritten
      : {
          phase: rest.acd !== undefined && stateIsTarget(rest.acd.state, acdWritten.target) ? 'shown' : 'requested',
          target: acdWritten.target,
          replaced: acdWritten.replaced,
          over: acdWritten.over ?? acdWritten.replaced,
          at: acdWritten.at,
          ruleId: acdWritten.ruleId,
        };
  const released: AcdWrite | undefined =
    acdReleased === undefined ? undefined : { phase: 'released', target: acdReleased.target, at: acdReleased.at };
  const kept = write ?? released;
  return kept === undefined ? rest : { ...rest, acdWritten: kept };
}

export const agentSyncStateSchema = storedAgentSyncState.transform(upgradeStoredState);

const eventBase = { tenantId: z.string(), agentId: z.string(), sourceTime: z.number(), eventId: z.string() };
export const syncEventSchema = z.discriminatedUnion('source', [
  z.looseObject({ source: z.literal('acd'), ...eventBase, state: acdState }),
  z.looseObject({
    source: z.literal('teams'),
    ...eventBase,
    teamsUserId: z.string(),
    presence,
    sequenceNumber: z.string().optional(),
    read: z.boolean().optional(),
  }),
  z.looseObject({ source: z.literal('tick'), ...eventBase }),
]);

/** An inbox entry's still-encrypted resource data (its payload is the Graph adapter's, read there). */
export const sealedPresenceSchema = z.object({ digest: z.string(), payload: z.string() });

export const anyJsonSchema = z.unknown();
export const jsonRecordSchema = z.record(z.string(), z.unknown());
export const stringArraySchema = z.array(z.string());
export const stringRecordSchema = z.record(z.string(), z.string());

/**
 * Parses a JSON column. A row that is not JSON or does not fit the schema throws a
 * StoreCorruptRowError naming the table and row, so the failure surfaces where it happened.
 */
export function readJson<S extends z.ZodType>(schema: S, text: string, table: string, rowId: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoreCorruptRowError(table, rowId, 'not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new StoreCorruptRowError(table, rowId, z.prettifyError(parsed.error).replace(/\n/g, '; '));
  return parsed.data;
}

/** Compile-time proof that what the schemas produce is what the domain types promise. */
export const asRule = (v: z.output<typeof presenceRuleSchema>): PresenceRule => v;
export const asAgentState = (v: z.output<typeof agentSyncStateSchema>): AgentSyncState => v;
export const asSyncEvent = (v: z.output<typeof syncEventSchema>): SyncEvent => v;
