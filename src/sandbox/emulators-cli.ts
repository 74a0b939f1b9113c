/**
 * `npm run emulators`: the outside world of production, on this machine — one CXone business unit
 * per organisation, one Graph + Entra ID serving every organisation's tenant, and a Bot Connector —
 * as a process of its own, so the product can run in production mode against it (README "Try
 * production mode locally"). Nothing is seeded into the product: each tenant must consent, sign in,
 * connect CXone and an owner exactly as a real one would.
 *
 *   npm run emulators -- [--orgs contoso,fabrikam] [--agents 20] [--data-dir data] [--cxone-port 3979]
 *     [--graph-port 3980] [--bot-port 3981] [--teams-port 3970] [--product-url http://localhost:3978]
 *     [--client-id <guid>] [--redirect-uri <url> ...] [--consented] [--latency realistic|off|<ms>|median:<ms>]
 *     [--https-only]
 *
 * Teams itself is emulated too (src/sandbox/teams-web/): an HTTPS address for the product (its
 * PUBLIC_BASE_URL, like Teams Toolkit's dev tunnel, forwarding to --product-url) that also serves
 * the Teams web client around the tab at /_teams/?tid=…&user=…; the app's registered redirect URIs
 * are that address's two callbacks unless --redirect-uri names others.
 *
 * Prints the URLs, the CA file and the accounts, and writes the same as JSON to
 * `<data-dir>/emulators/emulators.json` (for scripts and the production dress rehearsal).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { entraBotTokenVerifier } from './bot-connector/bot-connector-auth.js';
import { startBotConnectorEmulator } from './bot-connector/bot-connector-emulator.js';
import { startCxoneEmulator, type CxoneEmulator } from './cxone/cxone-emulator.js';
import { stableGuid, type EmulatedTenant } from './graph/emulator-model.js';
import { startGraphEmulator } from './graph/graph-emulator.js';
import { parseNotificationLatency } from './graph/notification-latency.js';
import { SandboxClock } from './sandbox-clock.js';
import { addSubscriberCodes, entraTenant } from './sandbox-world.js';
import { startTeamsWebEmulator } from './teams-web/teams-web-emulator.js';
import { loadOrCreateLocalTls } from './tls/local-ca.js';
import { Agent, fetch as undiciFetch } from 'undici';

const { values } = parseArgs({
  options: {
    orgs: { type: 'string', default: 'contoso,fabrikam' },
    agents: { type: 'string', default: '20' },
    'data-dir': { type: 'string', default: 'data' },
    'cxone-port': { type: 'string', default: '3979' },
    'graph-port': { type: 'string', default: '3980' },
    'bot-port': { type: 'string', default: '3981' },
    'teams-port': { type: 'string', default: '3970' },
    'product-url': { type: 'string', default: 'http://localhost:3978' },
    'client-id': { type: 'string', default: stableGuid('presence-sync/app') },
    'client-secret': { type: 'string', default: 'emulated-client-secret' },
    'redirect-uri': { type: 'string', multiple: true },
    consented: { type: 'boolean', default: false },
    latency: { type: 'string', default: 'realistic' },
    'https-only': { type: 'boolean', default: false },
  },
});

const orgs = values.orgs
  .split(',')
  .map((o) => o.trim().toLowerCase())
  .filter((o) => /^[a-z][a-z0-9-]{0,30}$/.test(o));
const latency = parseNotificationLatency(values.latency);
if (orgs.length === 0 || !latency) {
  process.stderr.write(
    'usage: npm run emulators -- --orgs contoso,fabrikam --latency realistic|off|<ms>|median:<ms>\n',
  );
  process.exit(2);
}
const dataDir = resolve(values['data-dir']);
const tlsDir = join(dataDir, 'sandbox-tls');
const tls = await loadOrCreateLocalTls(tlsDir);
const cxonePort = Number(values['cxone-port']);

const cxones: CxoneEmulator[] = [];
for (const [i, org] of orgs.entries()) {
  const cxone = await startCxoneEmulator({
    tls,
    clock: new SandboxClock(Date.now(), true),
    seed: { teams: 3, agents: Number(values.agents), seed: 7 + i },
    tenantId: stableGuid(`${org}/cxone`),
    port: cxonePort === 0 ? 0 : cxonePort + (i === 0 ? 0 : i + 2),
  });
  addSubscriberCodes(cxone);
  // A UPN names one user in all of Entra: each organisation's agents get its own mail domain.
  for (const [id, agent] of cxone.model.agents)
    cxone.model.agents.set(id, { ...agent, emailAddress: agent.emailAddress.replace(/@[^@]+$/, `@${org}.example`) });
  cxones.push(cxone);
}
// Teams' SSO tokens come from the emulated Entra, over HTTPS like any other client of it.
const graphClient = new Agent({ connect: { ca: tls.caCertPem } });
let graphUrl = '';
const teamsWeb = await startTeamsWebEmulator({
  tls,
  productUrl: values['product-url'],
  port: Number(values['teams-port']),
  ssoToken: async (tid, user) => {
    const r = await undiciFetch(`${graphUrl}/_control/entra/sso-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: tid, user }),
      dispatcher: graphClient,
    });
    return r.ok ? ((await r.json()) as { token?: string }).token : undefined;
  },
});
// What aad.manifest.json registers for TAB_ENDPOINT = the product's public address.
const redirectUris = values['redirect-uri'] ?? [
  `${teamsWeb.url}/api/v1/onboarding/consent/callback`,
  `${teamsWeb.url}/api/v1/connections/owners/callback`,
];
const directories = orgs.map((org, i) => entraTenant(cxones[i]!, org));
// One multi-tenant app registration, as the product has one MICROSOFT_APP_ID: every tenant sees the same client.
const tenants: EmulatedTenant[] = directories.map(({ tenant }) => ({
  ...tenant,
  apps: [
    {
      ...tenant.apps[0]!,
      clientId: values['client-id'],
      clientSecret: values['client-secret'],
      consented: values.consented,
      redirectUris,
    },
  ],
}));
const graph = await startGraphEmulator(
  {
    tenants,
    tls,
    // Webhooks reach the product through the Teams emulator's HTTPS address (the sandbox CA).
    webhookCaPem: tls.caCertPem,
    // A product tried locally without that address listens on http://localhost; Graph itself wants https (--https-only).
    allowHttpLoopback: !values['https-only'],
    tickIntervalMs: 1000,
    stateDir: join(dataDir, 'emulators', 'graph-emulator'),
    notificationLatency: latency,
  },
  Number(values['graph-port']),
);
graphUrl = graph.url;
// The Azure Bot registration: the app is the bot, its messaging endpoint the product's public address.
const bot = await startBotConnectorEmulator({
  port: Number(values['bot-port']),
  registration: { appId: values['client-id'], endpoint: `${teamsWeb.url}/api/messages` },
  botCaPem: tls.caCertPem,
  // Replies must carry the bot's token from the emulated Entra, checked against its published keys.
  verifyToken: entraBotTokenVerifier({
    jwksUrl: `${graph.authorityUrl}/common/discovery/v2.0/keys`,
    botAppId: values['client-id'],
    tenantIds: tenants.map((t) => t.id),
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: graphClient }) as unknown as Promise<Response>,
  }),
});

const summary = {
  caFile: join(tlsDir, 'ca.pem'),
  graph: { url: `${graph.url}/v1.0`, entraLoginBaseUrl: graph.authorityUrl, notificationLatency: latency.description },
  app: { clientId: values['client-id'], clientSecret: values['client-secret'], consented: values.consented },
  botConnector: {
    serviceUrl: bot.serviceUrl,
    openIdMetadataUrl: bot.openIdMetadataUrl,
    issuer: bot.issuer,
    deliverUrl: `${bot.serviceUrl}_control/deliver`,
  },
  teams: { publicBaseUrl: teamsWeb.url, productUrl: values['product-url'], redirectUris },
  tenants: orgs.map((org, i) => {
    const d = directories[i]!;
    const c = cxones[i]!;
    const account = (u: { userPrincipalName: string; password: string; id: string }) => ({
      upn: u.userPrincipalName,
      password: u.password,
      id: u.id,
    });
    return {
      organisation: org,
      tenantId: d.tenant.id,
      admin: account(d.admin),
      support: account(d.support),
      owners: d.owners.map(account),
      agents: d.userOfAgent.size,
      cxone: { url: c.url, tenantId: c.tenantId, ...c.credentials },
      adminConsentUrl: `${teamsWeb.url}/api/v1/onboarding/consent?tenant=${d.tenant.id}`,
      teamsAsAdmin: `${teamsWeb.url}/_teams/?${new URLSearchParams({ tid: d.tenant.id, user: d.admin.userPrincipalName, page: 'setup' })}`,
    };
  }),
};
mkdirSync(join(dataDir, 'emulators'), { recursive: true });
writeFileSync(join(dataDir, 'emulators', 'emulators.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });

const lines = [
  `Emulators running (sandbox values, never real credentials). CA file: ${summary.caFile}`,
  `  Graph      GRAPH_BASE_URL=${summary.graph.url}   notifications: ${latency.description}${values['https-only'] ? '' : '; http://localhost webhooks accepted'}`,
  `  Entra ID   ENTRA_LOGIN_BASE_URL=${graph.authorityUrl}   MICROSOFT_APP_ID=${values['client-id']}   SECRET_GRAPH_CLIENT_SECRET=${values['client-secret']}`,
  `             admin consent: ${graph.authorityUrl}/organizations/v2.0/adminconsent?client_id=${values['client-id']}&scope=https://graph.microsoft.com/.default&redirect_uri=<your callback>`,
  `             tab SSO token (what Teams would give the tab): POST ${graph.url}/_control/entra/sso-token {"tenantId","user"}`,
  `  Bot        Connector serviceUrl ${bot.serviceUrl}   OpenID metadata ${bot.openIdMetadataUrl}`,
  `             BOT_CHANNEL_OPENID_METADATA=${bot.openIdMetadataUrl}   BOT_CHANNEL_ISSUER=${bot.issuer}   BOT_TRUSTED_SERVICE_URLS=${bot.issuer}`,
  `             a user says something to the bot: POST ${bot.serviceUrl}_control/deliver {"activity":{...}} (signed, sent to ${teamsWeb.url}/api/messages; src/sandbox/bot-connector/README.md)`,
  `  Teams      PUBLIC_BASE_URL=${teamsWeb.url} (HTTPS to the product at ${values['product-url']}; redirect URIs ${redirectUris.join(' ')})`,
  ...summary.tenants.flatMap((t) => [
    `  ${t.organisation}: Entra tenant ${t.tenantId}${values.consented ? '' : ' (not consented yet)'}`,
    `    admin ${t.admin.upn} / ${t.admin.password} (id ${t.admin.id})   owner ${t.owners[0]!.upn} / ${t.owners[0]!.password}   ${t.agents} agents`,
    `    CXone ${t.cxone.url}  client ${t.cxone.clientId} / ${t.cxone.clientSecret}  access key ${t.cxone.accessKeyId} / ${t.cxone.accessKeySecret}`,
    `    1. admin consent: ${t.adminConsentUrl}`,
    `    2. Teams as the admin: ${t.teamsAsAdmin}`,
  ]),
  `  The same as JSON: ${join(dataDir, 'emulators', 'emulators.json')}. Scenario driver: POST <emulator>/_control/... (src/sandbox/*/README.md). Ctrl-C stops.`,
];
process.stdout.write(`${lines.join('\n')}\n`);

const stop = (): void =>
  void Promise.allSettled([
    teamsWeb.close(),
    bot.close(),
    graph.close(),
    graphClient.close(),
    ...cxones.map((c) => c.close()),
  ]).then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
