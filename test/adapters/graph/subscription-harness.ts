import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { GraphHttpClient } from '../../../src/adapters/graph/graph-http-client.js';
import { GraphNotificationParser } from '../../../src/adapters/graph/graph-notification-parser.js';
import { GraphOwnerTokens } from '../../../src/adapters/graph/graph-owner-tokens.js';
import { GraphSubscriptionRegistry } from '../../../src/adapters/graph/graph-subscription-registry.js';
import { entraJwks } from '../../../src/adapters/graph/graph-validation-tokens.js';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';
import { InMemoryConnections, InMemorySubscriptionStore } from './fakes.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export const TENANT = 'tenant-contoso';

export interface SubscriptionHarness extends AdapterHarness {
  readonly receiver: WebhookReceiver;
  readonly store: InMemorySubscriptionStore;
  readonly connections: InMemoryConnections;
  readonly tokens: GraphOwnerTokens;
  readonly owners: string[];
  parser: GraphNotificationParser;
  registry(): GraphSubscriptionRegistry;
}

let certPromise: ReturnType<typeof generate> | undefined;

/** Emulator + adapter + webhook receiver + `ownerCount` owners connected through SSO → on-behalf-of. */
export async function startSubscriptionHarness(userCount: number, ownerCount: number, rich = true): Promise<SubscriptionHarness> {
  const h = await startAdapterHarness(userCount);
  const app = h.tenant.apps[0]!;
  const store = new InMemorySubscriptionStore();
  const connections = new InMemoryConnections();
  const opts = { tenantId: h.tenant.id, clientId: app.clientId, clientSecret: app.clientSecret, authorityHost: h.emulator.authorityUrl, graphBaseUrl: h.emulator.url, caPem: h.emulator.caCertPem };
  const tokens = new GraphOwnerTokens(opts, h.adapter.transport.fetch, connections, TENANT, h.clock);
  const owners = h.tenant.users.slice(0, ownerCount).map((u) => u.id);
  for (const [i, ownerId] of owners.entries()) {
    const sso = await h.userToken(i, `api://contoso.test/${app.clientId}/access_as_user`);
    const c = await tokens.connectWithSsoToken(ownerId, sso);
    if (!c.ok) throw new Error(`owner ${i}: ${c.error.message}`);
  }
  const cert = await (certPromise ??= generate([{ name: 'commonName', value: 'presence-sync-notifications' }], { keySize: 2048, algorithm: 'sha256' }));
  const der = new X509Certificate(cert.cert).raw.toString('base64');
  const s = { ...h, store, connections, tokens, owners } as SubscriptionHarness;
  s.parser = new GraphNotificationParser({
    subscriptions: store, appId: app.clientId, clock: h.clock, jwks: entraJwks(h.emulator.jwksUrl, h.adapter.transport.fetch),
    decryptionKeys: [{ certificateId: 'notify-cert-1', privateKey: createPrivateKey(cert.private) }],
  });
  const receiver = await startWebhookReceiver(() => s.parser);
  const graphs = new Map<string, GraphHttpClient>();
  s.registry = () => new GraphSubscriptionRegistry({
    tenantId: TENANT, owners: async () => owners, store, clock: h.clock,
    graphFor: (o) => graphs.get(o) ?? graphs.set(o, new GraphHttpClient(h.emulator.url, (f) => tokens.token(o, f), h.adapter.transport.fetch)).get(o)!,
    notificationUrl: receiver.notifyUrl, lifecycleNotificationUrl: receiver.lifecycleUrl,
    ...(rich ? { encryption: { certificate: der, certificateId: 'notify-cert-1' } } : {}),
  });
  return Object.assign(s, {
    receiver,
    async close() {
      await receiver.close();
      await h.close();
    },
  });
}
