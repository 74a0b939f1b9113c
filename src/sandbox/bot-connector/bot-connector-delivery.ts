import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { BotChannelIssuer } from './bot-connector-issuer.js';
import type { BotConnectorModel, ReceivedActivity } from './bot-connector-model.js';

/** The bot as its Azure Bot registration names it: app id (the tokens' audience) and messaging endpoint. */
export interface BotRegistration {
  readonly appId: string;
  /** e.g. https://<public address>/api/messages */
  readonly endpoint: string;
}

/** What a scenario asks the Connector to deliver: the activity as a channel would send it. */
export const deliverySchema = z.object({
  /** Defaults to the registration's. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  appId: z.string().min(1).max(128).optional(),
  activity: z.looseObject({
    type: z.string().min(1).max(64),
    channelId: z.string().min(1).max(64).optional(),
    id: z.string().min(1).max(256).optional(),
    conversation: z.looseObject({
      id: z.string().min(1).max(512),
      tenantId: z.string().min(1).max(128).optional(),
      conversationType: z.enum(['personal', 'channel', 'groupChat']).optional(),
    }),
    channelData: z.looseObject({ tenant: z.object({ id: z.string().min(1).max(128) }).optional() }).optional(),
  }),
});
export type Delivery = z.input<typeof deliverySchema>;

export interface DeliveryResult {
  /** The bot's HTTP answer. */
  readonly status: number;
  readonly activityId: string;
  readonly conversationId: string;
  /** What the bot posted back to this conversation in reply to the activity while it handled it. */
  readonly replies: readonly ReceivedActivity[];
}

export type BotFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  status: number;
}>;

/**
 * Delivers one activity to the bot as the Bot Connector does (Bot Connector authentication,
 * "Connector to bot"): completed with the Connector's serviceUrl, an id and a timestamp, POSTed to
 * the bot's messaging endpoint with `Authorization: Bearer <channel token>` (iss = this issuer,
 * aud = the bot's app id, serviceurl = the activity's). The conversation becomes known, so the
 * bot's replies to it are accepted and recorded; a reply arrives before the bot answers the POST.
 */
export async function deliverToBot(
  input: Delivery,
  deps: {
    readonly model: BotConnectorModel;
    readonly issuer: BotChannelIssuer;
    readonly serviceUrl: string;
    readonly registration?: BotRegistration;
    readonly fetch: BotFetch;
    readonly now: () => number;
  },
): Promise<DeliveryResult> {
  const d = deliverySchema.parse(input);
  const appId = d.appId ?? deps.registration?.appId;
  const endpoint = d.endpoint ?? deps.registration?.endpoint;
  if (!appId || !endpoint) throw new Error('no bot registered: pass endpoint and appId');
  const { conversation, channelData } = d.activity;
  const tenantId = conversation.tenantId ?? channelData?.tenant?.id;
  if (!tenantId) throw new Error('the activity names no tenant (conversation.tenantId or channelData.tenant.id)');
  deps.model.addConversation({
    id: conversation.id,
    tenantId,
    conversationType: conversation.conversationType ?? 'personal',
  });
  const activity = {
    channelId: 'msteams',
    id: `f:${randomUUID()}`,
    timestamp: new Date(deps.now()).toISOString(),
    recipient: { id: `28:${appId}` },
    ...d.activity,
    serviceUrl: deps.serviceUrl,
  };
  const token = await deps.issuer.token(appId, deps.serviceUrl);
  const res = await deps.fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(activity),
  });
  return {
    status: res.status,
    activityId: activity.id,
    conversationId: conversation.id,
    replies: deps.model
      .activities(tenantId)
      .filter((a) => a.conversationId === conversation.id && a.replyToId === activity.id),
  };
}
