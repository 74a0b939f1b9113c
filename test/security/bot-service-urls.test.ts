import { createServer, type Server } from 'node:http';
import { MemoryAlertStateStore } from '../application/fakes/memory-shared-state.js';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { generateKeyPair } from 'jose';
import { registerBotRoutes } from '../../src/adapters/bot/bot-routes.js';
import { trustedServiceUrls } from '../../src/adapters/bot/bot-settings.js';
import { ServiceUrlPolicy } from '../../src/adapters/bot/bot-service-urls.js';
import restify from 'restify';
import {
  counterIds,
  FakeBotQueries,
  InMemoryConversationStore,
  ManualTime,
  RecordingLogger,
} from '../adapters/bot/support/bot-fakes.js';
import {
  ADMIN,
  APP_ID,
  contosoTenant,
  message,
  startBotHarness,
  teamsActivity,
  TENANT,
  type BotHarness,
} from '../adapters/bot/support/bot-harness.js';

/** A host the attacker controls: counts every request the bot makes to it. */
async function attackerHost(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"stolen"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const install = (serviceUrl: string) =>
  teamsActivity(serviceUrl, { type: 'conversationUpdate', membersAdded: [{ id: `28:${APP_ID}` }, { id: ADMIN.id }] });

describe('attacker: make the bot call a host of their choosing (issue 15 item 4)', () => {
  let attacker: Awaited<ReturnType<typeof attackerHost>>;
  beforeEach(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    attacker = await attackerHost();
  });
  afterEach(async () => {
    await attacker.close();
  });

  describe('against the sandbox bot in its unsigned Playground mode', () => {
    let h: BotHarness;
    beforeEach(async () => {
      h = await startBotHarness({ auth: 'playground' });
    });
    afterEach(async () => {
      await h.close();
    });

    it('an install naming a foreign serviceUrl, sent as text/plain from any web page, is refused: no call, nothing stored', async () => {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(install(attacker.url)),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await h.conversations.list(TENANT)).toEqual([]);
      expect(attacker.hits()).toBe(0);
    });

    it('a command naming a foreign serviceUrl gets no answer there: the tenant data never leaves', async () => {
      expect((await h.post(message(attacker.url, 'health'), null)).status).toBe(403);
      expect((await h.post(message(attacker.url, 'rules'), null)).status).toBe(403);
      expect(attacker.hits()).toBe(0);
    });
  });

  describe('against the production bot', () => {
    let h: BotHarness;
    beforeEach(async () => {
      h = await startBotHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it('even a valid channel token whose serviceurl is the foreign host does not make the bot call it', async () => {
      const token = await h.issuer.token(APP_ID, attacker.url);
      expect((await h.post(install(attacker.url), token)).status).toBe(403);
      expect((await h.post(message(attacker.url, 'health'), token)).status).toBe(403);
      expect(await h.conversations.list(TENANT)).toEqual([]);
      expect(attacker.hits()).toBe(0);
    });

    it('a foreign reference already in the store (written before this check) gets no alert', async () => {
      await h.conversations.put({
        tenantId: TENANT,
        conversationId: 'a:planted',
        scope: 'personal',
        installedBy: ADMIN.aadObjectId,
        reference: { channelId: 'msteams', serviceUrl: attacker.url, conversation: { id: 'a:planted' } },
      });
      h.health.emit({
        tenantId: TENANT,
        component: 'acd.connection',
        from: 'ok',
        to: 'down',
        detail: 'CXone unreachable',
        at: h.time.clock.now(),
      });
      h.time.advance(5_000);
      await h.runtime.alerts.idle();
      expect(attacker.hits()).toBe(0);
    });
  });

  it('production trusts the Bot Framework channel hosts over HTTPS only; the sandbox only its own Connectors', () => {
    const production = new ServiceUrlPolicy(trustedServiceUrls({ mode: 'production', appType: 'MultiTenant' }));
    expect(production.isAllowed('https://smba.trafficmanager.net/emea/')).toBe(true);
    expect(production.isAllowed('https://webchat.botframework.com/')).toBe(true);
    for (const foreign of [
      'http://smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net.attacker.example/',
      'https://attacker.example/smba.trafficmanager.net/',
      'https://user:pw@smba.trafficmanager.net/',
      'http://127.0.0.1:3981/',
      'http://169.254.169.254/',
      'not a url',
    ])
      expect([foreign, production.isAllowed(foreign)]).toEqual([foreign, false]);
    const sandbox = new ServiceUrlPolicy(
      trustedServiceUrls({ mode: 'sandbox', appType: 'MultiTenant', sandboxConnectorUrl: 'http://127.0.0.1:3981/' }),
    );
    expect(sandbox.isAllowed('http://127.0.0.1:3981/')).toBe(true);
    expect(sandbox.isAllowed('http://localhost:56150/_connector')).toBe(true);
    expect(sandbox.isAllowed('http://127.0.0.1:3982/')).toBe(false);
    expect(sandbox.isAllowed('https://smba.trafficmanager.net/emea/')).toBe(false);
  });
});

describe('attacker: a forged Bot Framework token in production (issue 15 item 7)', () => {
  it('gets 401 with a plain problem body, never a 500 carrying the internal fetch error', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const time = new ManualTime();
    const server = restify.createServer();
    const runtime = registerBotRoutes(server, {
      productMode: 'production',
      serviceUrls: { httpsHosts: [], origins: ['http://127.0.0.1:9/'] },
      auth: {
        mode: 'bot-framework',
        appId: APP_ID,
        appPassword: 'not-used',
        appType: 'MultiTenant',
        outboundCredentials: 'none',
        // The metadata of the issuer the token names cannot be fetched (nothing listens on port 9).
        channelAuthority: {
          openIdMetadataUrl: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration',
          issuer: 'http://127.0.0.1:9',
        },
      },
      teamsAppId: '3c0d5a7e-1b2c-4d3e-8f90-a1b2c3d4e5f6',
      queries: new FakeBotQueries(new Map([[TENANT, contosoTenant(time.clock.now())]])),
      conversations: new InMemoryConversationStore(),
      alertStates: new MemoryAlertStateStore(),
      logger: new RecordingLogger(),
      ids: counterIds(),
      clock: time.clock,
      scheduler: time,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { SignJWT } = await import('jose');
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ serviceurl: 'http://127.0.0.1:9/' })
        .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
        .setIssuer('http://127.0.0.1:9')
        .setAudience(APP_ID)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
        body: JSON.stringify(message('http://127.0.0.1:9/', 'health')),
      });
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status: 401, code: 'BOT.UNAUTHORIZED' });
      expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:9|jwks|fetch|signing key|Error/i);
    } finally {
      runtime.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
