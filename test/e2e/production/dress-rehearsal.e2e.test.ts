import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import type { BrowserContext } from 'playwright-core';
import { activityText } from '../../../src/sandbox/bot-connector/bot-connector-model.js';
import { FIRST_SKILL_ID } from '../../../src/sandbox/cxone/cxone-seed.js';
import { ensureProductBuilt, ensureTabBuilt } from '../../support/build-once.js';
import {
  emulatorClient,
  freePort,
  freshDatabase,
  launchAdminBrowser,
  openTab,
  signInOnEntra,
  startEmulators,
  startProduct,
  waitFor,
  type Emulators,
  type EmulatorsSummary,
  type Product,
} from './production-world.js';

/**
 * The production dress rehearsal (issue 14 item 9): what a customer's admin does, from zero to a
 * synced agent, against `npm run emulators` and the compiled product in production mode on a fresh
 * PostgreSQL database — no dev-token route, no seed, nothing in-process. Each step is one the
 * README's "Try production mode locally" walk-through names.
 */

jest.setTimeout(240_000);

type Tenant = EmulatorsSummary['tenants'][number];
let dataDir: string;
let emulators: Emulators;
let product: Product;
let db: { url: string; drop(): Promise<void> };
let browser: { ctx: BrowserContext; close(): Promise<void> };
let client: Awaited<ReturnType<typeof emulatorClient>>;
let contoso: Tenant;
let fabrikam: Tenant;

interface MappingRow {
  agent: { agentId: string; firstName?: string; lastName?: string; email?: string; teamId: string };
  link?: { teamsUserId: string; source?: string };
}
/** Agent A takes a CXone voice call (publisher rule); agent B takes a Teams call (subscriber rule). */
let agentA: MappingRow['agent'];
let agentB: MappingRow['agent'];
const fullName = (a: MappingRow['agent']) => `${a.firstName ?? ''} ${a.lastName ?? ''}`.trim();
const started = Date.now();

/** The SSO token Teams would give the tab for `user` of tenant `tid` (refused before consent, like Teams). */
async function ssoToken(tid: string, user: string): Promise<string | undefined> {
  const r = await client.call<{ token?: string }>(`${emulators.graphOrigin}/_control/entra/sso-token`, {
    body: { tenantId: tid, user },
  });
  return r.status === 200 ? r.body.token : undefined;
}

/** The tab API as the tab calls it, with `user`'s SSO token. */
async function api<T = Record<string, unknown>>(
  t: Tenant,
  path: string,
  init: { method?: string; body?: unknown; user?: string } = {},
): Promise<{ status: number; body: T }> {
  const token = await ssoToken(t.tenantId, init.user ?? t.admin.upn);
  if (!token) throw new Error(`no SSO token for ${init.user ?? t.admin.upn}`);
  return client.call<T>(`${product.base}/api/v1${path}`, { ...init, token });
}

/**
 * Waits for a synced state of one agent; on a timeout the error also says what the product's Log
 * Reader holds for that agent and what the product warned of, so a failure in CI can be read.
 */
async function waitForSync<T>(
  what: string,
  agentId: string,
  probe: () => Promise<T>,
  predicate: (v: T) => boolean,
): Promise<T> {
  try {
    return await waitFor(what, probe, predicate);
  } catch (error) {
    const trace = await api<{ events?: { at: number; hop: string; summary: string }[] }>(
      contoso,
      `/trace?agent=${agentId}&from=${Date.now() - 120_000}&limit=60`,
    ).catch((e: unknown) => ({ status: 0, body: { events: undefined, error: String(e) } }));
    const hops = Array.isArray(trace.body.events)
      ? trace.body.events.map((h) => `${new Date(h.at).toISOString()} ${h.hop}: ${h.summary}`)
      : [JSON.stringify(trace.body).slice(0, 500)];
    const warned = product.output.filter((l) => /"level":(40|50|60)/.test(l)).slice(-15);
    throw new Error(
      `${(error as Error).message}\nLog Reader of agent ${agentId}:\n${hops.join('\n')}\nproduct warnings:\n${warned.join('\n')}`,
    );
  }
}

beforeAll(async () => {
  const port = await freePort();
  dataDir = await mkdtemp(join(tmpdir(), 'rehearsal-'));
  const [world, database] = await Promise.all([
    startEmulators(join(dataDir, 'emulators-data'), `http://localhost:${port}`),
    freshDatabase(),
    ensureProductBuilt(),
    ensureTabBuilt(),
  ]);
  emulators = world;
  db = database;
  client = await emulatorClient(emulators.summary.caFile);
  [contoso, fabrikam] = emulators.summary.tenants as [Tenant, Tenant];
  const s = emulators.summary;
  product = await startProduct(
    {
      // A name with no env file: this run's whole configuration is the environment below.
      PRESENCE_SYNC_ENV: 'production-rehearsal',
      PRESENCE_SYNC_MODE: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      // The Teams emulator's HTTPS address, forwarding to the port above (README: like a dev tunnel).
      PUBLIC_BASE_URL: s.teams.publicBaseUrl,
      LOG_LEVEL: 'info',
      DATA_DIR: join(dataDir, 'product-data'),
      DATABASE_URL: db.url,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MICROSOFT_APP_ID: s.app.clientId,
      SECRET_GRAPH_CLIENT_SECRET: s.app.clientSecret,
      GRAPH_BASE_URL: s.graph.url,
      ENTRA_LOGIN_BASE_URL: s.graph.entraLoginBaseUrl,
      EXTRA_CA_FILE: s.caFile,
      CXONE_AUTH_BASE_URL: contoso.cxone.url,
      CXONE_ALLOWED_HOSTS: s.tenants.map((t) => new URL(t.cxone.url).host).join(','),
      BOT_TRUSTED_SERVICE_URLS: new URL(s.botConnector.serviceUrl).origin,
      // The emulated Bot Connector as the channel authority, as `npm run emulators` prints it.
      BOT_CHANNEL_OPENID_METADATA: s.botConnector.openIdMetadataUrl,
      BOT_CHANNEL_ISSUER: s.botConnector.issuer,
    },
    s.teams.publicBaseUrl,
  );
  browser = await launchAdminBrowser(join(dataDir, 'emulators-data', 'sandbox-tls'));
}, 240_000);

afterEach(async () => {
  if (!process.env['REHEARSAL_DEBUG']) return;
  for (const [i, p] of (browser?.ctx.pages() ?? []).entries())
    await p.screenshot({ path: `test-artifacts/rehearsal-${i}.png` }).catch(() => undefined);
});

afterAll(async () => {
  if (process.env['REHEARSAL_DEBUG']) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile('test-artifacts/rehearsal-product.log', (product?.output ?? []).join('\n'));
    await writeFile('test-artifacts/rehearsal-emulators.log', (emulators?.output ?? []).join('\n'));
  }
  await browser?.close();
  const code = await product?.stop();
  await emulators?.stop();
  await client?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  // The rehearsal's wall time, for the CI log (issue 14 asks to keep it low).
  process.stdout.write(`production dress rehearsal: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (code !== undefined && code !== 0) throw new Error(`the product exited ${code} on SIGTERM`);
});

/** Admin consent from the product's consent link: Entra's sign-in form, its consent page, our callback. */
async function grantAdminConsent(t: Tenant): Promise<void> {
  const page = await browser.ctx.newPage();
  try {
    await page.goto(`${product.base}/api/v1/onboarding/consent?tenant=${t.tenantId}`);
    await signInOnEntra(page, t.admin.upn, t.admin.password);
    await page.locator('#idSIButton9', { hasText: 'Accept' }).click();
    await page.getByRole('heading', { name: 'Admin consent granted' }).waitFor();
  } finally {
    await page.close();
  }
}

describe('production dress rehearsal: a tenant from zero to synced, against npm run emulators', () => {
  it('refuses the tab before admin consent, as Teams does', async () => {
    expect(await ssoToken(contoso.tenantId, contoso.admin.upn)).toBeUndefined();
    expect((await client.call(`${product.base}/readyz`)).status).toBe(200);
  });

  it('admin consent, then the admin opens the tab: the tenant is created, the checklist leads on', async () => {
    await grantAdminConsent(contoso);
    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'setup');
    await tab.locator('[data-step="tenant"][data-done="true"]').waitFor();
    await tab.locator('[data-step="consent"][data-done="true"]').waitFor();
    const checklist = await api<{ onboarded: boolean; next?: { id: string } }>(contoso, '/onboarding/sign-in', {
      method: 'POST',
    });
    expect(checklist.body).toMatchObject({ onboarded: true, next: { id: 'cxone' } });
  });

  it('CXone connected and tested on the Setup page (credentials tried before they are saved)', async () => {
    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'setup');
    const form = tab.getByRole('form', { name: 'CXone connection' });
    await form.getByLabel('CXone issuer URL').fill(contoso.cxone.url);
    await form.getByLabel('Client id').fill(contoso.cxone.clientId);
    await form.getByLabel('Client secret').fill(contoso.cxone.clientSecret);
    await form.getByLabel('Access key id').fill(contoso.cxone.accessKeyId);
    await form.getByLabel('Access key secret').fill(contoso.cxone.accessKeySecret);
    await form.getByRole('button', { name: 'Save and test connection' }).click();
    await form
      .getByTestId('cxone-status')
      .getByText(/^Connection works: .*Saved\.$/)
      .waitFor();
    await tab.locator('[data-step="cxone"][data-done="true"]').waitFor();
  });

  it('a subscription owner signs in on the Entra sign-in page (authorization code + PKCE in a popup)', async () => {
    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'setup');
    await tab
      .getByRole('listitem')
      .filter({ hasText: '3. Subscription owner' })
      .and(tab.locator('[aria-current="step"]'))
      .waitFor();
    const owner = contoso.owners[0]!;
    const [popup] = await Promise.all([
      browser.ctx.waitForEvent('page'),
      tab.getByRole('button', { name: 'Sign in a subscription owner' }).click(),
    ]);
    await signInOnEntra(popup, owner.upn, owner.password);
    await tab.locator(`[data-owner][data-signed-in="true"]`).waitFor();
    await tab.locator('[data-step="owner"][data-done="true"]').waitFor();
  });

  it("agents linked: one through the people picker (searched on the admin's behalf), the rest by auto-match", async () => {
    const rows = (await api<{ items: MappingRow[] }>(contoso, '/users')).body.items;
    expect(rows.length).toBe(contoso.agents);
    [agentA, agentB] = [rows[0]!.agent, rows[1]!.agent];
    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'users');
    const rowB = tab.getByRole('row').filter({ hasText: agentB.email! });
    await rowB.getByRole('button', { name: 'Set link' }).click();
    await tab.getByLabel(`Teams user for ${fullName(agentB)}`).fill(agentB.email!.split('@')[0]!);
    await tab
      .getByRole('list', { name: 'People found' })
      .getByRole('button', { name: new RegExp(agentB.email!.replace(/[.]/g, '\\.')) })
      .click();
    await rowB.getByText('manual').waitFor();
    await tab.getByRole('button', { name: 'Preview auto-match' }).click();
    await tab.getByRole('button', { name: `Link ${contoso.agents - 1} proposed` }).click();
    await tab.getByText(`${contoso.agents - 1} linked, 0 rejected`).waitFor();
    await tab.getByText(`${contoso.agents} mapped, 0 unmapped`).waitFor();
  });

  it('a publisher rule from the Setup wizard and a subscriber rule from the Rules page are saved', async () => {
    const setup = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'setup');
    const templates = setup.tab.getByRole('form', { name: 'Rule templates' });
    await templates.getByRole('checkbox', { name: 'Teams call → Unavailable: Teams call' }).uncheck();
    await templates.getByRole('button', { name: 'Create the rule and finish' }).click();
    await setup.tab.getByRole('button', { name: 'Turn sync on' }).waitFor();

    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'rules');
    await tab.getByRole('button', { name: 'From a template' }).click();
    await tab.getByRole('menuitem', { name: 'Teams call → Unavailable: Teams call' }).click();
    await tab.getByRole('radio', { name: 'Users' }).check();
    await tab.getByRole('checkbox', { name: new RegExp(`^${fullName(agentB)} `) }).check();
    await tab.getByRole('button', { name: 'Save rule' }).click();
    await tab.getByRole('button', { name: 'Edit Teams call → Unavailable' }).waitFor();
    const rules = (await api<{ items: { direction: string; scope: { kind: string } }[] }>(contoso, '/rules')).body;
    expect(rules.items.map((r) => `${r.direction}/${r.scope.kind}`).sort()).toEqual([
      'publisher/team',
      'subscriber/user',
    ]);
  });

  it('sync turned on from the Setup page', async () => {
    const { tab } = await openTab(browser.ctx, product.base, contoso.tenantId, contoso.admin.upn, 'setup');
    await tab.getByRole('button', { name: 'Turn sync on' }).click();
    await tab.getByText('Sync is on.', { exact: true }).waitFor();
  });

  it('a CXone voice call turns the linked Teams user Busy / In a call, and back', async () => {
    const rows = (await api<{ items: MappingRow[] }>(contoso, '/users')).body.items;
    const userA = rows.find((r) => r.agent.agentId === agentA.agentId)!.link!.teamsUserId;
    const cxone = (path: string, body: unknown) => client.call(`${contoso.cxone.url}/_control${path}`, { body });
    const presence = () =>
      client.call<{ availability: string; activity: string }>(
        `${emulators.graphOrigin}/_control/users/${userA}/presence`,
      );
    // Agent A works with Teams open: without a Teams client Graph shows them Offline once our presence is cleared.
    await client.call(`${emulators.graphOrigin}/_control/users/${userA}/teams`, { body: { activity: 'signedIn' } });
    expect((await cxone(`/agents/${agentA.agentId}/login`, { state: 'Available' })).status).toBeLessThan(300);
    const call = await cxone('/contacts', {
      type: 'customer',
      agentId: Number(agentA.agentId),
      skillId: FIRST_SKILL_ID,
    });
    expect(call.status).toBeLessThan(300);
    await waitForSync(
      'Teams shows agent A Busy / InACall',
      agentA.agentId,
      presence,
      (p) => p.body.availability === 'Busy' && p.body.activity === 'InACall',
    );
    const contactId = (call.body as { contactId: number }).contactId;
    await cxone(`/contacts/${contactId}/end`, {});
    await waitForSync(
      'Teams shows agent A Available again',
      agentA.agentId,
      presence,
      (p) => p.body.availability === 'Available',
    );
  });

  it('a Teams call sets the CXone unavailable code of the subscriber rule, and ends it', async () => {
    const rows = (await api<{ items: MappingRow[] }>(contoso, '/users')).body.items;
    const userB = rows.find((r) => r.agent.agentId === agentB.agentId)!.link!.teamsUserId;
    const cxoneState = () =>
      client.call<{ state: string; outStateDescription: string }>(
        `${contoso.cxone.url}/_control/agents/${agentB.agentId}`,
      );
    await client.call(`${contoso.cxone.url}/_control/agents/${agentB.agentId}/login`, { body: { state: 'Available' } });
    await waitFor(
      'a presence subscription covering agent B',
      () => client.call<{ value: { resource: string }[] }>(`${emulators.graphOrigin}/_control/subscriptions`),
      (r) => r.body.value.some((s) => s.resource.includes(userB)),
    );
    await client.call(`${emulators.graphOrigin}/_control/users/${userB}/teams`, { body: { activity: 'call' } });
    await waitForSync(
      'CXone sets agent B Unavailable: Teams Call',
      agentB.agentId,
      cxoneState,
      (r) => r.body.state === 'Unavailable' && /teams/i.test(r.body.outStateDescription),
    );
    await client.call(`${emulators.graphOrigin}/_control/users/${userB}/teams`, { body: { activity: 'signedIn' } });
    await waitForSync(
      'CXone puts agent B back to Available',
      agentB.agentId,
      cxoneState,
      (r) => r.body.state === 'Available',
    );
  });

  it('the Health Check says all is healthy', async () => {
    const health = await waitFor(
      'every Health Check component ok',
      () =>
        api<{ status: string; components: { component: string; status: string; detail: string }[] }>(
          contoso,
          '/health',
        ),
      (h) => h.body.status === 'ok' && h.body.components.every((c) => c.status === 'ok'),
    );
    expect(health.body.components.map((c) => c.component)).toEqual(
      expect.arrayContaining(['acd.connection', 'subscriptions']),
    );
  });

  it('the admin asks the bot `health` through the emulated Bot Connector: a signed activity in, a reply signed by Entra out, all healthy', async () => {
    const { botConnector, app } = emulators.summary;
    const admin = { id: `29:${contoso.admin.id}`, name: 'Contoso admin', aadObjectId: contoso.admin.id };
    const conversation = {
      id: `a:admin-${contoso.admin.id}`,
      conversationType: 'personal',
      tenantId: contoso.tenantId,
    };
    const health = {
      type: 'message',
      text: 'health',
      textFormat: 'plain',
      from: admin,
      conversation,
      channelData: { tenant: { id: contoso.tenantId } },
    };
    // The Connector signs it and posts it to the registered messaging endpoint (PUBLIC_BASE_URL/api/messages).
    const delivered = await client.call<{
      status: number;
      replies: { authorization?: string; activity: Record<string, unknown> }[];
    }>(botConnector.deliverUrl, { body: { activity: health } });
    expect(delivered.body.status).toBe(200);
    const reply = delivered.body.replies[0]!;
    expect(activityText(reply.activity)).toContain('Health Check: ✅ ok');
    // The Connector accepted the reply only with the bot's Entra token for it (else 401, nothing recorded).
    expect(decodeJwt(reply.authorization!.replace(/^Bearer /, ''))).toMatchObject({
      aud: 'https://api.botframework.com',
      appid: app.clientId,
    });

    // Straight to the product, unsigned or signed by anyone but the Connector: refused. The activity is
    // otherwise what the Connector delivers (recipient = the bot), so the 401 is about its signature,
    // not its shape (a malformed one is a 400 before any token is looked at).
    const activity = {
      ...health,
      channelId: 'msteams',
      id: 'forged-1',
      serviceUrl: botConnector.serviceUrl,
      recipient: { id: `28:${app.clientId}`, name: 'Presence Sync' },
    };
    expect((await client.call(`${product.base}/api/messages`, { body: activity })).status).toBe(401);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ serviceurl: botConnector.serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(botConnector.issuer)
      .setAudience(app.clientId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await client.call(`${product.base}/api/messages`, { body: activity, token: forged })).status).toBe(401);
  });

  it("a second tenant onboarded in the same run sees nothing of the first and changes nothing of it (from its admin's side)", async () => {
    await grantAdminConsent(fabrikam);
    const { tab } = await openTab(browser.ctx, product.base, fabrikam.tenantId, fabrikam.admin.upn, 'setup');
    await tab.locator('[data-step="tenant"][data-done="true"]').waitFor();
    const contosoRows = (await api<{ items: MappingRow[] }>(contoso, '/users')).body.items;
    const linkA = contosoRows.find((r) => r.agent.agentId === agentA.agentId)!.link!;

    // Before CXone is connected the Health Check names that step (README "Deploy for your tenant").
    const fresh = await api<{ components: { component: string; status: string; detail: string }[] }>(
      fabrikam,
      '/health',
    );
    expect(fresh.body.components).toEqual([
      expect.objectContaining({
        component: 'sync',
        status: 'down',
        detail: expect.stringMatching(/once CXone is connected/),
      }),
    ]);

    // Fabrikam's admin holds a valid token of their own tenant and probes for contoso's data.
    const seen = JSON.stringify(
      await Promise.all(
        [
          '/users',
          '/rules',
          '/connections',
          '/health',
          '/audit',
          `/trace?agent=${agentA.agentId}`,
          `/trace/agent?agent=${agentA.agentId}`,
          `/directory/users?search=${encodeURIComponent(agentA.email!.slice(0, 6))}`,
        ].map(async (path) => ({ path, ...(await api(fabrikam, path)) })),
      ),
    );
    // (The agent id is what fabrikam asked for: a 404 may repeat it. It must not be found.)
    expect(seen).toContain('TRACE.AGENT_NOT_FOUND');
    for (const secret of [
      agentA.email!,
      linkA.teamsUserId,
      contoso.cxone.clientId,
      contoso.cxone.url,
      contoso.owners[0]!.upn,
      contoso.tenantId,
      'Teams call → Unavailable',
    ])
      expect(seen).not.toContain(secret);

    const relink = await api(fabrikam, `/users/${agentA.agentId}/link`, {
      method: 'PUT',
      body: { teamsUserId: linkA.teamsUserId },
    });
    expect(relink.status).toBeGreaterThanOrEqual(400);
    expect((await api(fabrikam, `/users/${agentA.agentId}/link`, { method: 'DELETE' })).status).toBeGreaterThanOrEqual(
      400,
    );
    await api(fabrikam, '/onboarding/sync', { method: 'PUT', body: { enabled: false } });

    // Contoso is as its admin left it.
    const after = (await api<{ items: MappingRow[] }>(contoso, '/users')).body.items;
    expect(after.find((r) => r.agent.agentId === agentA.agentId)?.link?.teamsUserId).toBe(linkA.teamsUserId);
    const checklist = await api<{ syncEnabled: boolean }>(contoso, '/onboarding/sign-in', { method: 'POST' });
    expect(checklist.body.syncEnabled).toBe(true);
  });
});
