import { TurnContext, type Activity } from 'botbuilder';
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

/** The reference we store to reach this conversation later (proactive alerts). */
export function conversationRefOf(context: TurnContext, tenantId: string): ConversationRef {
  const activity = context.activity;
  // Without activityId: an alert starts a new message instead of replying to the install event.
  const { activityId: _activityId, ...reference } = JSON.parse(
    JSON.stringify(TurnContext.getConversationReference(activity)),
  ) as Record<string, unknown>;
  const installedBy = activity.from?.aadObjectId;
  return {
    tenantId,
    conversationId: activity.conversation.id,
    reference,
    scope: scopeOf(activity.conversation.conversationType),
    ...(installedBy ? { installedBy } : {}),
  };
}

/** True when the bot itself is among the members of a conversationUpdate list. */
export const includesBot = (members: readonly { id: string }[] | undefined, context: TurnContext): boolean =>
  (members ?? []).some((m) => m.id === context.activity.recipient.id);
