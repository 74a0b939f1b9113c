import type { ServerResponse } from 'node:http';
import { Activity } from '@microsoft/agents-activity';
import type { CloudAdapter, WebResponse } from '@microsoft/agents-hosting';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { AlertStateStore, Clock, ConversationStore, IdGenerator, Logger } from '../../application/ports.js';
import { fetch as undiciFetch } from 'undici';
import type { HttpFetch } from '../shared/http-transport.js';
import { BotLinks } from './bot-cards.js';
import { ChannelAuthorityVerifier } from './bot-channel-authority.js';
import {
  botIdentity,
  createBotAdapter,
  type BotAdapterOptions,
  type ConnectorTokenSource,
} from './bot-cloud-adapter.js';
import { inboundAuth } from './bot-inbound-auth.js';
import { ServiceUrlPolicy } from './bot-service-urls.js';
import { botProblem as problem, sendBotProblem as sendProblem, type BotProblem } from './bot-problem.js';
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
  /** The alert pacing shared by the instances (the store's alert_states). */
  readonly alertStates: AlertStateStore;
  /** Health transitions to alert on; without it no proactive alerts are sent. */
  readonly healthTransitions?: HealthTransitionSource;
  readonly alertOptions?: ProactiveAlertOptions;
  readonly logger: Logger;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly scheduler: BotScheduler;
  /** The bot's tokens for the Connector (the product's Entra client); without it the SDK's own MSAL client. */
  readonly connectorTokens?: ConnectorTokenSource;
  /** How the channel authority's metadata and keys are fetched (trusting EXTRA_CA_FILE). */
  readonly fetch?: HttpFetch;
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
 * The types of the Activity fields the bot reads. Refused here, before authentication and before
 * the SDK sees them: an activity without a type, channelId, serviceUrl, conversation id or
 * recipient (the SDK cannot address a reply without them), or with, say, a numeric one.
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
  recipient: z.looseObject({ id: z.string().min(1), name: z.string().nullish(), aadObjectId: text }),
  conversation: z.looseObject({
    id: z.string().min(1),
    conversationType: text,
    tenantId: text,
    isGroup: z.boolean().optional(),
  }),
  channelData: z.record(z.string(), z.unknown()).optional(),
  membersAdded: z.array(account.unwrap()).optional(),
  membersRemoved: z.array(account.unwrap()).optional(),
  attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  entities: z.array(z.record(z.string(), z.unknown())).optional(),
});

/**
 * Mounts POST /api/messages on a restify server: body parsed and checked here (the product's
 * server may or may not use a body parser), the caller authenticated, then the CloudAdapter runs
 * the bot. Every refusal is an RFC 9457 problem that names no internal detail.
 */
export function registerBotRoutes(server: Server, deps: BotRouteDeps): BotRuntime {
  const logger = deps.logger.child({ component: 'bot' });
  const adapter = createBotAdapter(deps, {
    logger,
    ids: deps.ids,
    ...(deps.connectorTokens ? { connectorTokens: deps.connectorTokens } : {}),
  });
  const links = new BotLinks(deps.teamsAppId);
  const bot = new PresenceSyncBot({ queries: deps.queries, conversations: deps.conversations, links, logger });
  const alerts = new ProactiveAlerts(
    {
      adapter,
      identity: botIdentity(deps.auth),
      conversations: deps.conversations,
      alertStates: deps.alertStates,
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

  const channel =
    deps.auth.mode === 'bot-framework' && deps.auth.channelAuthority
      ? new ChannelAuthorityVerifier(deps.auth.channelAuthority, deps.auth.appId, deps.fetch ?? undiciFetch)
      : undefined;
  const authenticate = inboundAuth(deps.auth, adapter, channel);
  const serviceUrls = new ServiceUrlPolicy(deps.serviceUrls);

  server.post(BOT_MESSAGES_PATH, async (req: Request, res: Response) => {
    const body = await readJsonBody(req, maxBytes);
    if (!body.ok) return sendProblem(res, body.problem, BOT_MESSAGES_PATH);
    const caller = await authenticate(req.headers, body.activity);
    if (!caller.ok) {
      logger.warn(
        { reason: caller.reason, serviceUrl: body.activity.serviceUrl },
        'bot activity refused: not authenticated',
      );
      return sendProblem(res, unauthorized, BOT_MESSAGES_PATH);
    }
    if (!serviceUrls.isAllowed(body.activity.serviceUrl)) {
      logger.warn(
        { serviceUrl: body.activity.serviceUrl },
        'bot activity refused: its serviceUrl is not a trusted Bot Connector',
      );
      return sendProblem(res, untrustedServiceUrl, BOT_MESSAGES_PATH);
    }
    try {
      await adapter.process(
        {
          headers: req.headers,
          method: 'POST',
          body: body.value,
          ...(caller.identity ? { user: caller.identity } : {}),
        },
        new NodeWebResponse(res),
        (context) => bot.run(context),
      );
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'bot activity could not be processed');
      sendProblem(
        res,
        problem(500, 'BOT.FAILED', 'Internal error', 'The activity could not be processed.'),
        BOT_MESSAGES_PATH,
      );
    }
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

const unauthorized = problem(
  401,
  'BOT.UNAUTHORIZED',
  'Unauthorized',
  'The activity does not carry a valid Bot Framework token for this bot.',
);

const untrustedServiceUrl = problem(
  403,
  'BOT.UNTRUSTED_SERVICE_URL',
  'Untrusted service URL',
  'The activity names a serviceUrl that is not a trusted Bot Connector; nothing was stored or answered.',
);

type BodyResult = { ok: true; value: Record<string, unknown>; activity: Activity } | { ok: false; problem: BotProblem };

const badRequest = (detail: string): BodyResult => ({
  ok: false,
  problem: problem(400, 'BOT.NOT_AN_ACTIVITY', 'Not an activity', detail),
});

/** Our shape check, then the SDK's own parser, so nothing the SDK would throw on reaches it. */
function asActivity(value: Record<string, unknown>): BodyResult {
  if (!ActivityShape.safeParse(value).success)
    return badRequest('A type, channelId, serviceUrl, conversation and recipient are needed, each of its type.');
  try {
    return { ok: true, value, activity: Activity.fromObject(value) };
  } catch {
    return badRequest('The activity does not follow the Bot Framework activity schema.');
  }
}

async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  const parsedAlready = JsonObject.safeParse(req.body);
  if (parsedAlready.success) return asActivity(parsedAlready.data);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      return {
        ok: false,
        problem: problem(413, 'BOT.TOO_LARGE', 'Activity too large', `The limit is ${maxBytes} bytes.`),
      };
    chunks.push(chunk);
  }
  try {
    const parsed = JsonObject.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (!parsed.success) return badRequest('An activity must be a JSON object.');
    return asActivity(parsed.data);
  } catch {
    return badRequest('The body is not JSON.');
  }
}

/** The SDK's response interface over Node's: it sets a status, may send a JSON body, then ends. */
class NodeWebResponse implements WebResponse {
  constructor(private readonly res: ServerResponse) {}
  get headersSent(): boolean {
    return this.res.headersSent;
  }
  get writableEnded(): boolean {
    return this.res.writableEnded;
  }
  status(code: number): this {
    this.res.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.res.setHeader(name, value);
    return this;
  }
  send(body?: unknown): this {
    if (body === undefined) return this;
    if (!this.res.hasHeader('content-type')) this.res.setHeader('content-type', 'application/json; charset=utf-8');
    this.res.write(typeof body === 'string' ? body : JSON.stringify(body));
    return this;
  }
  end(): this {
    this.res.end();
    return this;
  }
}
