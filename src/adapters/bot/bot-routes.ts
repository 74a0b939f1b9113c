import type { CloudAdapter } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Clock, ConversationStore, IdGenerator, Logger } from '../../application/ports.js';
import { BotLinks } from './bot-cards.js';
import { botAppId, createBotAdapter, type BotAdapterOptions } from './bot-cloud-adapter.js';
import { ProactiveAlerts, type ProactiveAlertOptions } from './bot-proactive-alerts.js';
import type { BotQueries, BotScheduler, HealthTransitionSource } from './bot-queries.js';
import { PresenceSyncBot } from './presence-sync-bot.js';

export const BOT_MESSAGES_PATH = '/api/messages';

/** Everything the bot needs from the composition root. */
export interface BotRouteDeps extends BotAdapterOptions {
  /** The Teams app id (manifest `id`): deep links into the Presence Sync tab use it. */
  readonly teamsAppId: string;
  readonly queries: BotQueries;
  readonly conversations: ConversationStore;
  /** Health transitions to alert on; without it no proactive alerts are sent. */
  readonly healthTransitions?: HealthTransitionSource;
  readonly alertOptions?: ProactiveAlertOptions;
  readonly logger: Logger;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly scheduler: BotScheduler;
  /** Largest accepted activity body; Teams activities are far smaller. Default 256 KiB. */
  readonly maxBodyBytes?: number;
}

export interface BotRuntime {
  readonly adapter: CloudAdapter;
  readonly alerts: ProactiveAlerts;
  /** Stops listening to health transitions and cancels pending alert timers. */
  close(): void;
}

const JsonObject = z.record(z.string(), z.unknown());
/**
 * The types of the Activity fields botbuilder reads. CloudAdapter throws (a 500, even before
 * authentication) on an activity without a type or channelId, or with, say, a numeric one: refuse those here.
 */
const text = z.string().optional();
const account = z.looseObject({ id: text, name: z.string().nullish(), aadObjectId: text }).optional();
const ActivityShape = z.looseObject({
  type: z.string().min(1),
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  id: text,
  text,
  textFormat: text,
  locale: text,
  timestamp: text,
  localTimestamp: text,
  replyToId: text,
  name: text,
  action: text,
  from: account,
  recipient: account,
  conversation: z
    .looseObject({ id: text, conversationType: text, tenantId: text, isGroup: z.boolean().optional() })
    .optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
  membersAdded: z.array(account.unwrap()).optional(),
  membersRemoved: z.array(account.unwrap()).optional(),
  attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  entities: z.array(z.record(z.string(), z.unknown())).optional(),
});

/**
 * Mounts POST /api/messages on a restify server: body parsed and checked here (the product's
 * server may or may not use a body parser), then the CloudAdapter authenticates and runs the bot.
 */
export function registerBotRoutes(server: Server, deps: BotRouteDeps): BotRuntime {
  const logger = deps.logger.child({ component: 'bot' });
  const adapter = createBotAdapter(deps, { logger, ids: deps.ids });
  const links = new BotLinks(deps.teamsAppId);
  const bot = new PresenceSyncBot({ queries: deps.queries, conversations: deps.conversations, links, logger });
  const alerts = new ProactiveAlerts(
    {
      adapter,
      appId: botAppId(deps.auth),
      conversations: deps.conversations,
      queries: deps.queries,
      links,
      scheduler: deps.scheduler,
      clock: deps.clock,
      logger,
    },
    deps.alertOptions,
  );
  const unsubscribe = deps.healthTransitions ? alerts.start(deps.healthTransitions) : () => undefined;
  const maxBytes = deps.maxBodyBytes ?? 256 * 1024;

  server.post(BOT_MESSAGES_PATH, async (req: Request, res: Response) => {
    const body = await readJsonBody(req, maxBytes);
    if (!body.ok) {
      res.send(body.status, { error: body.error });
      return;
    }
    req.body = body.value;
    await adapter.process(req, res, (context) => bot.run(context));
  });
  return {
    adapter,
    alerts,
    close: () => {
      unsubscribe();
      alerts.stop();
    },
  };
}

type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; status: 400 | 413; error: string };

const asActivity = (value: Record<string, unknown>): BodyResult =>
  ActivityShape.safeParse(value).success
    ? { ok: true, value }
    : { ok: false, status: 400, error: 'not an activity: a type is needed and the known fields must have their types' };

async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  const parsedAlready = JsonObject.safeParse(req.body);
  if (parsedAlready.success) return asActivity(parsedAlready.data);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return { ok: false, status: 413, error: 'activity too large' };
    chunks.push(chunk);
  }
  try {
    const parsed = JsonObject.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (!parsed.success) return { ok: false, status: 400, error: 'an activity must be a JSON object' };
    return asActivity(parsed.data);
  } catch {
    return { ok: false, status: 400, error: 'the body is not JSON' };
  }
}
