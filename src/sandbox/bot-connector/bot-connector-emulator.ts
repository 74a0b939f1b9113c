import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { BotConnectorModel, type ReceivedActivity } from './bot-connector-model.js';
import { connectorControlRoute } from './bot-connector-control.js';
import { deliverToBot, type BotRegistration } from './bot-connector-delivery.js';
import { BotChannelIssuer, CHANNEL_KEYS_PATH, OPENID_METADATA_PATH } from './bot-connector-issuer.js';

/** Options of {@link startBotConnectorEmulator}. */
export interface BotConnectorEmulatorOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Bot auth on: every activity post must carry `Authorization: Bearer <token>` that this accepts
   * (else 401, as the Connector answers). Absent = anonymous posts accepted, like the Agents
   * Playground's connector when the bot runs with BOT_AUTH=disabled-for-playground.
   */
  readonly verifyToken?: (token: string) => boolean | Promise<boolean>;
  readonly now?: () => number;
  /** The bot `/_control/deliver` sends activities to when the request names none. */
  readonly registration?: BotRegistration;
  /** Extra CA the Connector trusts when it calls an https bot endpoint (the sandbox CA). */
  readonly botCaPem?: string;
  /** Called for every activity received (the sandbox logs it). */
  readonly onActivity?: (received: ReceivedActivity) => void;
}

/** A small, faithful Bot Connector (v3 conversations API) for the sandbox and tests. */
export interface BotConnectorEmulator {
  /** The serviceUrl conversation references carry (with a trailing slash, as Teams sends it). */
  readonly serviceUrl: string;
  /** The `iss` of its channel tokens (its origin) and where its OpenID metadata is (BOT_CHANNEL_*). */
  readonly issuer: string;
  readonly openIdMetadataUrl: string;
  readonly model: BotConnectorModel;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;
const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;
const ActivityBody = z.looseObject({ type: z.string().min(1) });

/** Bot Connector error bodies: `{ error: { code, message } }` (401 alone has the ASP.NET shape). */
function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // Never chained: restify, when loaded in the same process, patches writeHead to return undefined.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
const connectorError = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): void => answer(res, status, { error: { code, message } }, headers);

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function authorized(req: IncomingMessage, verify: BotConnectorEmulatorOptions['verifyToken']): Promise<boolean> {
  if (!verify) return true;
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return match?.[1] !== undefined && (await verify(match[1]));
}

async function postActivity(
  req: IncomingMessage,
  res: ServerResponse,
  path: RegExpExecArray,
  model: BotConnectorModel,
  o: BotConnectorEmulatorOptions,
): Promise<void> {
  if (!(await authorized(req, o.verifyToken)))
    return answer(res, 401, { message: 'Authorization has been denied for this request.' });
  const fault = model.takeFault();
  if (fault) {
    const retryAfter: Record<string, string> =
      fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {};
    return connectorError(
      res,
      fault.status,
      fault.status === 429 ? 'Throttled' : 'ServiceError',
      fault.status === 429 ? 'Too many requests' : 'The service is unavailable',
      retryAfter,
    );
  }
  const raw = await readBody(req);
  if (raw === undefined) return connectorError(res, 413, 'MessageSizeTooBig', 'Activity body too large');
  let parsed: z.ZodSafeParseResult<Record<string, unknown>>;
  try {
    parsed = ActivityBody.safeParse(JSON.parse(raw));
  } catch {
    return connectorError(res, 400, 'BadSyntax', 'The body is not JSON');
  }
  if (!parsed.success) return connectorError(res, 400, 'BadArgument', 'An activity needs a type');
  const conversationId = decodeURIComponent(path[1]!);
  const conversation = model.conversation(conversationId);
  if (!conversation) return connectorError(res, 404, 'ConversationNotFound', 'Conversation not found.');
  const replyToId = path[2] ? decodeURIComponent(path[2]) : undefined;
  const received = model.record({
    conversationId,
    tenantId: conversation.tenantId,
    activity: parsed.data,
    ...(replyToId ? { replyToId } : {}),
    ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  o.onActivity?.(received);
  answer(res, 200, { id: received.id });
}

/**
 * Starts the emulator on plain HTTP (loopback): `POST /v3/conversations/{id}/activities[/{replyToId}]`
 * answers `{ id }` like the Connector; unknown conversation 404, bad token 401, injected 429 with
 * Retry-After. As a channel-token issuer it serves `GET /v1/.well-known/openidconfiguration` and
 * `GET /v1/.well-known/keys`. Control: `/_control/activities` (GET ?tenantId=, DELETE),
 * `/_control/conversations` (POST), `/_control/faults` (POST, DELETE), `/_control/deliver` (POST).
 */
export async function startBotConnectorEmulator(o: BotConnectorEmulatorOptions = {}): Promise<BotConnectorEmulator> {
  const now = o.now ?? Date.now;
  const model = new BotConnectorModel(now);
  const botAgent = new Agent({ connect: o.botCaPem ? { ca: [...rootCertificates, o.botCaPem] } : {} });
  // Listening first: the issuer and the serviceUrl are the origin it gets.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const serviceUrl = `${origin}/`;
  const issuer = await BotChannelIssuer.create({ now }, origin);
  const control = connectorControlRoute(model, (body) =>
    deliverToBot(body as Parameters<typeof deliverToBot>[0], {
      model,
      issuer,
      serviceUrl,
      ...(o.registration ? { registration: o.registration } : {}),
      fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: botAgent }),
      now,
    }),
  );
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = ACTIVITY_PATH.exec(url.pathname);
    const get = req.method === 'GET' ? url.pathname : undefined;
    const handled =
      path && req.method === 'POST'
        ? postActivity(req, res, path, model, o)
        : get === OPENID_METADATA_PATH
          ? answer(res, 200, issuer.openIdMetadata(origin))
          : get === CHANNEL_KEYS_PATH
            ? answer(res, 200, issuer.jwks())
            : control(req, res, url);
    void Promise.resolve(handled).catch((e: unknown) => {
      if (!res.headersSent) connectorError(res, 500, 'ServiceError', String(e));
      else res.destroy();
    });
  });
  return {
    serviceUrl,
    issuer: issuer.issuer,
    openIdMetadataUrl: `${origin}${OPENID_METADATA_PATH}`,
    model,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await botAgent.close();
    },
  };
}
