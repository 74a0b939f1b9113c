import type { Activity, ConversationReference } from '@microsoft/agents-activity';
import type { TurnContext } from '@microsoft/agents-hosting';
import { z } from 'zod';
import type { ConversationRef } from '../../application/ports.js';

/** turnState key of the per-turn trace id (set by the adapter's middleware, read in logs). */
export const TRACE_ID_KEY = Symbol('presenceSync.traceId');

export const traceIdOf = (context: TurnContext): string => {
  const value: unknown = context.turnState.get(TRACE_ID_KEY);
  return typeof value === 'string' ? value : 'unknown';
};

const TeamsChannelData = z.object({ tenant: z.object({ id: z.string().min(1) }).optional() }).passthrough();

/**
 * The tenant an activity speaks for. Teams puts it in both `conversation.tenantId` and
 * `channelData.tenant.id`; when they disagree the activity is not trusted with tenant data.
 */
export function tenantOf(activity: Partial<Activity>): { ok: true; tenantId: string } | { ok: false } {
  const parsed = TeamsChannelData.safeParse(activity.channelData ?? {});
  const fromChannel = parsed.success ? parsed.data.tenant?.id : undefined;
  const fromConversation = activity.conversation?.tenantId || undefined;
  if (fromChannel && fromConversation && fromChannel !== fromConversation) return { ok: false };
  const tenantId = fromChannel ?? fromConversation;
  return tenantId ? { ok: true, tenantId } : { ok: false };
}

const scopeOf = (conversationType: string | undefined): ConversationRef['scope'] =>
  conversationType === 'channel' ? 'team' : conversationType === 'groupChat' ? 'groupChat' : 'personal';

/**
 * The reference we store to reach this conversation later (proactive alerts), in the Bot
 * Framework wire shape (`bot`, where the Agents SDK says `agent`): references stored by earlier
 * versions and by the sandbox seed have that shape, and so does the Connector's own schema.
 */
export function conversationRefOf(context: TurnContext, tenantId: string): ConversationRef {
  const activity = context.activity;
  // Without activityId: an alert starts a new message instead of replying to the install event.
  const {
    activityId: _activityId,
    agent,
    ...reference
  } = JSON.parse(JSON.stringify(activity.getConversationReference())) as Record<string, unknown>;
  const installedBy = activity.from?.aadObjectId;
  return {
    tenantId,
    conversationId: activity.conversation?.id ?? '',
    reference: { ...reference, ...(agent ? { bot: agent } : {}) },
    scope: scopeOf(activity.conversation?.conversationType),
    ...(installedBy ? { installedBy } : {}),
  };
}

const text = z.string().optional();
const StoredAccount = z.looseObject({ id: text, name: text, aadObjectId: text, role: text });
const StoredReference = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  locale: text,
  conversation: z.looseObject({
    id: z.string().min(1),
    conversationType: text,
    tenantId: text,
    isGroup: z.boolean().optional(),
  }),
  user: StoredAccount.optional(),
  bot: StoredAccount.optional(),
  agent: StoredAccount.optional(),
});

/** A stored reference (either shape) as the Agents SDK continues it; undefined when it cannot be used. */
export function continuationReference(stored: Readonly<Record<string, unknown>>): ConversationReference | undefined {
  const parsed = StoredReference.safeParse(stored);
  if (!parsed.success) return undefined;
  const { bot, agent, ...rest } = parsed.data;
  const self = agent ?? bot;
  return { ...rest, ...(self ? { agent: self } : {}) };
}

/** True when the bot itself is among the members of a conversationUpdate list. */
export const includesBot = (members: readonly { id?: string }[] | undefined, context: TurnContext): boolean =>
  (members ?? []).some((m) => m.id !== undefined && m.id === context.activity.recipient?.id);
