import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { compose, type App } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { entraBotTokenVerifier } from '../../src/sandbox/bot-connector/bot-connector-auth.js';
import {
  startBotConnectorEmulator,
  type BotConnectorEmulator,
} from '../../src/sandbox/bot-connector/bot-connector-emulator.js';
import { systemClock } from '../../src/sandbox/graph/emulator-clock.js';
import { startHarness, type Harness } from '../sandbox/graph/graph-emulator-harness.js';

/**
 * The production bot route, composed as `node dist/src/main.js` composes it, with one extra channel
 * authority configured (the emulated Bot Connector), seen from an attacker's side: only a token its
 * key signed, for this bot, unexpired, for this very serviceUrl gets in; everything else is 401.
 * And a product not configured with that authority refuses even its genuine tokens.
 */

const TENANT = 'c0ffee00-0000-4000-8000-00000000a77a';
let dir: string;
let entra: Harness;
let entraClient: Agent;
let connector: BotConnectorEmulator;
/** Shifts the Connector's clock (an expired token is one issued over an hour ago). */
let connectorClockOffset = 0;
let product: App;
let messages: string;

const APP = () => entra.tenant.apps[0]!;

function productEnv(extra: Record<string, string>): Record<string, string> {
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, entra.emulator.caCertPem);
  return {
    PRESENCE_SYNC_ENV: 'none',
    PRESENCE_SYNC_MODE: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: join(dir, `data-${Object.keys(extra).length}`),
    SQLITE_PATH: join(dir, `data-${Object.keys(extra).length}`, 'presence.sqlite'),
    LOG_LEVEL: 'silent',
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'https://presence.example.com',
    MICROSOFT_APP_ID: APP().clientId,
    SECRET_GRAPH_CLIENT_SECRET: APP().clientSecret,
    GRAPH_BASE_URL: `${entra.emulator.url}/v1.0`,
    ENTRA_LOGIN_BASE_URL: entra.emulator.authorityUrl,
    EXTRA_CA_FILE: caFile,
    BOT_TRUSTED_SERVICE_URLS: connector.serviceUrl.replace(/\/$/, ''),
    ...extra,
  };
}

async function startProduct(extra: Record<string, string>): Promise<{ app: App; messages: string }> {
  const app = await compose(loadConfig({ cwd: dir, env: productEnv(extra) }));
  return { app, messages: `http://127.0.0.1:${await app.start()}/api/messages` };
}

const activity = (text: string, serviceUrl = connector.serviceUrl) => ({
  type: 'message',
  text,
  channelId: 'msteams',
  serviceUrl,
  id: `act-${Math.random().toString(36).slice(2)}`,
  from: { id: '29:admin', aadObjectId: 'aad-admin' },
  recipient: { id: `28:${APP().clientId}` },
  conversation: { id: 'a:personal-admin', conversationType: 'personal', tenantId: TENANT },
  channelData: { tenant: { id: TENANT } },
});

const postAs = async (url: string, body: unknown, token?: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
};

const deliver = async (body: Record<string, unknown>) => {
  const res = await fetch(`${connector.serviceUrl}_control/deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: messages, appId: APP().clientId, ...body }),
  });
  return (await res.json()) as { status: number; replies: { authorization?: string; activity: { text?: string } }[] };
};

/** A genuine channel token of the Connector, caught on its way to an endpoint of ours. */
async function capturedChannelToken(): Promise<string> {
  let token = '';
  const catcher: Server = createServer((req, res) => {
    token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    req.resume();
    // Never chained: restify, loaded in this process, patches writeHead to return undefined.
    res.writeHead(200);
    res.end();
  });
  await new Promise<void>((r) => catcher.listen(0, '127.0.0.1', () => r()));
  try {
    await deliver({
      endpoint: `http://127.0.0.1:${(catcher.address() as AddressInfo).port}/api/messages`,
      activity: activity('x'),
    });
  } finally {
    catcher.closeAllConnections();
    await new Promise<void>((r) => catcher.close(() => r()));
  }
  return token;
}

beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  dir = mkdtempSync(join(tmpdir(), 'bot-channel-authority-'));
  entra = await startHarness(1, { clock: systemClock });
  entraClient = new Agent({ connect: { ca: entra.emulator.caCertPem } });
  connector = await startBotConnectorEmulator({
    now: () => Date.now() + connectorClockOffset,
    verifyToken: entraBotTokenVerifier({
      jwksUrl: `${entra.emulator.authorityUrl}/common/discovery/v2.0/keys`,
      botAppId: APP().clientId,
      fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: entraClient }) as unknown as Promise<Response>,
    }),
  });
  ({ app: product, messages } = await startProduct({
    BOT_CHANNEL_OPENID_METADATA: connector.openIdMetadataUrl,
    BOT_CHANNEL_ISSUER: connector.issuer,
  }));
}, 60_000);

afterAll(async () => {
  await product?.stop();
  await connector?.close();
  await entra?.close();
  await entraClient?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the production bot with the emulated Bot Connector configured as a channel authority', () => {
  it('answers an activity the Connector signed, replying with its Entra token for the Connector', async () => {
    const r = await deliver({ activity: activity('help') });
    expect(r.status).toBe(200);
    expect(r.replies.length).toBeGreaterThan(0);
    const claims = decodeJwt(/^Bearer (.+)$/.exec(r.replies[0]!.authorization ?? '')?.[1] ?? '');
    expect(claims).toMatchObject({
      aud: 'https://api.botframework.com',
      iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/',
      appid: APP().clientId,
    });
  });

  describe('attacker', () => {
    it('an unsigned activity gets 401', async () => {
      expect((await postAs(messages, activity('health'))).status).toBe(401);
    });

    it("a token claiming the Connector's issuer and kid, signed with another key, gets 401", async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const keys = (await (await fetch(`${connector.serviceUrl}v1/.well-known/keys`)).json()) as {
        keys: { kid: string }[];
      };
      const forged = await new SignJWT({ serviceurl: connector.serviceUrl })
        .setProtectedHeader({ alg: 'RS256', kid: keys.keys[0]!.kid })
        .setIssuer(connector.issuer)
        .setAudience(APP().clientId)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await postAs(messages, activity('health'), forged)).status).toBe(401);
    });

    it('a genuine Connector token issued for another bot gets 401 (replayed to us)', async () => {
      const r = await deliver({ appId: 'another-bot', activity: activity('health') });
      expect(r).toMatchObject({ status: 401, replies: [] });
    });

    it('a genuine Connector token for another serviceUrl gets 401 (the reply would go elsewhere)', async () => {
      const token = await capturedChannelToken();
      expect(decodeJwt(token)['serviceurl']).toBe(connector.serviceUrl);
      expect((await postAs(messages, activity('health'), token)).status).toBe(200);
      const elsewhere = activity('health', 'https://smba.trafficmanager.net/emea/');
      expect((await postAs(messages, elsewhere, token)).status).toBe(401);
    });

    it('an expired Connector token gets 401', async () => {
      connectorClockOffset = -3600_000;
      try {
        expect((await deliver({ activity: activity('health') })).status).toBe(401);
      } finally {
        connectorClockOffset = 0;
      }
    });

    it('an Entra token for this bot, of another issuer, gets 401', async () => {
      const sso = await entra.call('POST', '/_control/entra/sso-token', {
        json: { tenantId: entra.tenant.id, user: entra.tenant.users[0]!.userPrincipalName },
      });
      const token = (sso.body as { token: string }).token;
      expect(decodeJwt(token).aud).toBe(APP().clientId);
      expect((await postAs(messages, activity('health'), token)).status).toBe(401);
    });
  });
});

describe('a production bot without that channel authority configured', () => {
  it("refuses the emulated Connector's genuine tokens: 401", async () => {
    const other = await startProduct({});
    try {
      const r = await fetch(`${connector.serviceUrl}_control/deliver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: other.messages, appId: APP().clientId, activity: activity('health') }),
      });
      expect(((await r.json()) as { status: number }).status).toBe(401);
    } finally {
      await other.app.stop();
    }
  }, 60_000);
});
