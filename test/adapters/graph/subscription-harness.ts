import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { GraphSealedPresence } from '../../../src/adapters/graph/graph-sealed-presence.js';
import type { GraphNotificationParser } from '../../../src/adapters/graph/graph-notification-parser.js';
import type { GraphOwnerTokens } from '../../../src/adapters/graph/graph-owner-tokens.js';
import type { GraphSubscriptionRegistry } from '../../../src/adapters/graph/graph-subscription-registry.js';
import { createGraphSubscriptions } from '../../../src/adapters/graph/graph-subscriptions.js';
import type { EmulatedApp } from '../../../src/sandbox/graph/emulator-model.js';
import { startAdapterHarness, type AdapterHarness } from './graph-adapter-harness.js';
import { InMemoryConnections, InMemorySubscriptionStore } from './fakes.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export interface SubscriptionHarness extends AdapterHarness {
  readonly receiver: WebhookReceiver;
  readonly store: InMemorySubscriptionStore;
  readonly connections: InMemoryConnections;
  /** Opens the sealed resource data the parser hands on (the engine's inbox pump does it in the product). */
  readonly opener: GraphSealedPresence;
  tokens: GraphOwnerTokens;
  readonly owners: string[];
  parser: GraphNotificationParser;
  /** A fresh registry (a restarted process); `rich` overrides the harness's setting for it. */
  registry(rich?: boolean): GraphSubscriptionRegistry;
}

let certPromise: ReturnType<typeof generate> | undefined;

/** Emulator + adapter + webhook receiver + `ownerCount` owners connected through SSO → on-behalf-of. */
export async function startSubscriptionHarness(
  userCount: number,
  ownerCount: number,
  rich = true,
  appSettings: Partial<EmulatedApp> = {},
): Promise<SubscriptionHarness> {
  // The receiver decrypts synchronously; on a shared 2-core machine 100 RSA unwraps can pass Graph's 3 s, so adapter
  // specs give deliveries 20 s (the 3 s rule itself is specified in test/sandbox/graph).
  const h = await startAdapterHarness(
    userCount,
    {},
    { deliveryTimeouts: { firstMs: 20_000, retryMs: 20_000 } },
    appSettings,
  );
  const app = h.tenant.apps[0]!;
  const store = new InMemorySubscriptionStore();
  const connections = new InMemoryConnections();
  const opts = {
    tenantId: h.tenant.id,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    authorityHost: h.emulator.authorityUrl,
    graphBaseUrl: h.emulator.url,
    caPem: h.emulator.caCertPem,
  };
  const owners = h.tenant.users.slice(0, ownerCount).map((u) => u.id);
  // The product keys a tenant by its Entra tenant id (domain/tenant.ts), the tid of Graph's validation tokens.
  const tenantId = h.tenant.id;
  const cert = await (certPromise ??= generate([{ name: 'commonName', value: 'presence-sync-notifications' }], {
    keySize: 2048,
    algorithm: 'sha256',
  }));
  const der = new X509Certificate(cert.cert).raw.toString('base64');
  const keys = [{ certificateId: 'notify-cert-1', privateKey: createPrivateKey(cert.private) }];
  const opener = new GraphSealedPresence(keys);
  const s = { ...h, store, connections, owners } as SubscriptionHarness;
  Object.assign(s, { opener });
  const receiver = await startWebhookReceiver(() => s.parser, opener);
  const subs = createGraphSubscriptions(opts, h.adapter, {
    tenantId,
    clock: h.clock,
    tenants: connections,
    store,
    owners: async () => owners,
    jwksUrl: h.emulator.jwksUrl,
    notificationUrl: receiver.notifyUrl,
    lifecycleNotificationUrl: receiver.lifecycleUrl,
    ...(rich
      ? {
          encryption: {
            certificate: der,
            certificateId: 'notify-cert-1',
            keys,
          },
        }
      : {}),
  });
  for (const [i, ownerId] of owners.entries()) {
    const sso = await h.userToken(i, `api://contoso.test/${app.clientId}/access_as_user`);
    const c = await subs.tokens.connectWithSsoToken(ownerId, sso);
    if (!c.ok) throw new Error(`owner ${i}: ${c.error.message}`);
  }
  // Each call builds the subscription side afresh, like a restarted process: only the store and the connections persist.
  const restart = (richNow = rich) => {
    const fresh = createGraphSubscriptions(opts, h.adapter, {
      tenantId,
      clock: h.clock,
      tenants: connections,
      store,
      owners: async () => owners,
      jwksUrl: h.emulator.jwksUrl,
      notificationUrl: receiver.notifyUrl,
      lifecycleNotificationUrl: receiver.lifecycleUrl,
      ...(richNow ? { encryption: { certificate: der, certificateId: 'notify-cert-1', keys: [] } } : {}),
    });
    s.tokens = fresh.tokens;
    return fresh.registry;
  };
  Object.assign(s, { tokens: subs.tokens, parser: subs.parser, registry: restart });
  return Object.assign(s, {
    receiver,
    async close() {
      await receiver.close();
      await h.close();
    },
  });
}
