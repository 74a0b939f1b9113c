import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { entraBotTokenVerifier } from '../../../src/sandbox/bot-connector/bot-connector-auth.js';
import {
  startBotConnectorEmulator,
  type BotConnectorEmulator,
} from '../../../src/sandbox/bot-connector/bot-connector-emulator.js';
import { startHarness, type Harness } from '../graph/graph-emulator-harness.js';

const TENANT = 'c0ffee00-0000-4000-8000-000000000001';

/** A bot endpoint that records what the Connector sent and answers like a bot would (reply, then 200). */
interface RecordingBot {
  readonly url: string;
  readonly received: { authorization?: string; activity: Record<string, unknown> }[];
  /** How the bot answers each activity: post a reply with this token (undefined: no reply). */
  replyToken?: string;
  close(): Promise<void>;
}

async function recordingBot(): Promise<RecordingBot> {
  const received: RecordingBot['received'] = [];
  const bot: Partial<RecordingBot> = { received };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ activity, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      const conversation = (activity['conversation'] as { id: string }).id;
      const reply = bot.replyToken
        ? fetch(
            `${String(activity['serviceUrl'])}v3/conversations/${encodeURIComponent(conversation)}/activities/${encodeURIComponent(String(activity['id']))}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.replyToken}` },
              body: JSON.stringify({ type: 'message', text: 'pong' }),
            },
          )
        : Promise.resolve(undefined);
      void reply.then(() => {
        res.writeHead(200);
        res.end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(bot, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as RecordingBot;
}

const message = (text: string) => ({
  type: 'message',
  text,
  from: { id: '29:admin', aadObjectId: 'aad-admin' },
  conversation: { id: 'a:personal-admin', conversationType: 'personal', tenantId: TENANT },
  channelData: { tenant: { id: TENANT } },
});

let entra: Harness;
let connector: BotConnectorEmulator;
let bot: RecordingBot;
let entraClient: Agent;
const APP = () => entra.tenant.apps[0]!;

beforeAll(async () => {
  entra = await startHarness(1);
  entraClient = new Agent({ connect: { ca: entra.emulator.caCertPem } });
  bot = await recordingBot();
  connector = await startBotConnectorEmulator({
    registration: { appId: APP().clientId, endpoint: bot.url },
    verifyToken: entraBotTokenVerifier({
      jwksUrl: `${entra.emulator.authorityUrl}/common/discovery/v2.0/keys`,
      botAppId: APP().clientId,
      fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: entraClient }) as unknown as Promise<Response>,
      now: () => entra.clock.now(),
    }),
  });
});
afterAll(async () => {
  await connector?.close();
  await bot?.close();
  await entra?.close();
  await entraClient?.close();
});

const deliver = async (body: unknown) => {
  const res = await fetch(`${connector.serviceUrl}_control/deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A Connector token from the emulated Entra, as the bot would get one (`tenant`: botframework.com for a multi-tenant bot). */
const botToken = async (tenant = 'botframework.com', scope = 'https://api.botframework.com/.default') => {
  const r = await entra.call('POST', `/${tenant}/oauth2/v2.0/token`, {
    form: { grant_type: 'client_credentials', client_id: APP().clientId, client_secret: APP().clientSecret, scope },
  });
  return { status: r.status, body: r.body as { access_token?: string; error?: string } };
};

describe('the emulated Bot Connector as a channel-token issuer (Bot Connector authentication, Connector to bot)', () => {
  it("publishes OpenID metadata like login.botframework.com's, pointing at a JWKS whose keys carry endorsements", async () => {
    const metadata = (await (await fetch(connector.openIdMetadataUrl)).json()) as Record<string, unknown>;
    expect(connector.openIdMetadataUrl).toBe(`${connector.serviceUrl}v1/.well-known/openidconfiguration`);
    expect(metadata).toMatchObject({
      issuer: connector.issuer,
      jwks_uri: `${connector.serviceUrl}v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = (await (await fetch(String(metadata['jwks_uri']))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([
      expect.objectContaining({
        kty: 'RSA',
        use: 'sig',
        kid: expect.any(String),
        endorsements: ['msteams', 'emulator'],
      }),
    ]);
    // Its own issuer: never Bot Framework's, whose tokens only login.botframework.com's keys may sign.
    expect(connector.issuer).not.toBe('https://api.botframework.com');
  });

  it('delivers an activity to the bot with a channel token: its issuer, aud = the bot, serviceurl = the activity', async () => {
    bot.received.length = 0;
    const r = await deliver({ activity: message('health') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 200, conversationId: 'a:personal-admin', replies: [] });
    const [got] = bot.received;
    expect(got?.activity).toMatchObject({
      type: 'message',
      text: 'health',
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      id: r.body['activityId'],
      recipient: { id: `28:${APP().clientId}` },
    });
    const token = /^Bearer (.+)$/.exec(got?.authorization ?? '')?.[1] ?? '';
    const keys = createRemoteJWKSet(new URL(`${connector.serviceUrl}v1/.well-known/keys`));
    const { payload } = await jwtVerify(token, keys, { issuer: connector.issuer, audience: APP().clientId });
    expect(payload).toMatchObject({ serviceurl: connector.serviceUrl });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
    // A channel token names no appid/azp: the bot answers with a token for the Connector, not for a caller.
    expect(payload['appid']).toBeUndefined();
    expect(payload['azp']).toBeUndefined();
  });

  it('records a reply signed with an Entra token for the Connector (botframework.com tenant) and returns it', async () => {
    const token = await botToken();
    expect(token.status).toBe(200);
    bot.replyToken = token.body.access_token!;
    const r = await deliver({ activity: message('ping') });
    bot.replyToken = undefined;
    expect(r.body).toMatchObject({
      status: 200,
      replies: [
        expect.objectContaining({
          replyToId: r.body['activityId'],
          tenantId: TENANT,
          activity: { type: 'message', text: 'pong' },
        }),
      ],
    });
  });

  it('refuses replies with a Graph token, a foreign-signed token or none, with the 401 of the Connector', async () => {
    const graph = await entra.appToken();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ appid: APP().clientId, tid: 'd6d49420-f39b-4df7-a1dc-d59a935871db' })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer('https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/')
      .setAudience('https://api.botframework.com')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    for (const token of [graph, forged, undefined]) {
      const res = await fetch(
        `${connector.serviceUrl}v3/conversations/${encodeURIComponent('a:personal-admin')}/activities`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ type: 'message', text: 'not the bot' }),
        },
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Authorization has been denied for this request.' });
    }
  });

  it('the emulated Entra grants the botframework.com tenant only the Connector scope, and only to a registered app', async () => {
    expect((await botToken('botframework.com', 'https://graph.microsoft.com/.default')).body.error).toBe(
      'invalid_scope',
    );
    const stranger = await entra.call('POST', '/botframework.com/oauth2/v2.0/token', {
      form: {
        grant_type: 'client_credentials',
        client_id: '00000000-0000-4000-8000-00000000dead',
        client_secret: 'x',
        scope: 'https://api.botframework.com/.default',
      },
    });
    expect(stranger.body).toMatchObject({ error: 'unauthorized_client' });
    // A single-tenant bot gets the same token from its own tenant.
    expect((await botToken(entra.tenant.id)).status).toBe(200);
  });

  it('refuses a delivery without a tenant or a registered bot, naming what is missing', async () => {
    const r = await deliver({ activity: { type: 'message', conversation: { id: 'x' } } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/tenant/);
  });
});
