import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_ROLE, SUPPORT_ROLE } from '../../../src/domain/access.js';
import { join } from 'node:path';
import { startCxoneEmulator } from '../../../src/sandbox/cxone/cxone-emulator.js';
import { SandboxClock } from '../../../src/sandbox/sandbox-clock.js';
import { stableGuid, type EmulatedTenant, type EmulatedUser } from '../../../src/sandbox/graph/emulator-model.js';
import { startGraphEmulator } from '../../../src/sandbox/graph/graph-emulator.js';
import type { SandboxWorld } from '../../../src/sandbox/sandbox-world.js';
import { createLocalTls, type LocalTls } from '../../../src/sandbox/tls/local-ca.js';
import type { CxoneRealism } from '../../../src/sandbox/cxone/cxone-realism.js';
import type { NotificationLatency } from '../../../src/sandbox/graph/notification-latency.js';
import { E2E_CXONE, e2eNotificationLatency } from '../../support/realism.js';

/**
 * The outside world of the multi-instance test, started ONCE in the test process and shared by
 * every product process: the CXone and Graph/Entra emulators on one local CA (written to a file
 * the instances trust through EXTRA_CA_FILE), and an HTTPS round-robin load balancer that is the
 * instances' PUBLIC_BASE_URL, so Graph's webhooks land on any instance.
 */
export interface SharedWorld extends SandboxWorld {
  readonly balancer: LoadBalancer;
}

/** A dumb round-robin HTTPS → HTTP balancer; a backend that refuses the connection is skipped. */
export interface LoadBalancer {
  readonly url: string;
  /** Every answered request: which backend, which path (no query), which status. */
  readonly served: { readonly port: number; readonly path: string; readonly status: number }[];
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

function entraTenant(agents: Iterable<{ agentId: number; emailAddress: string; firstName: string; lastName: string }>) {
  const userOfAgent = new Map<string, EmulatedUser>();
  for (const a of agents) {
    userOfAgent.set(String(a.agentId), {
      id: stableGuid(`contoso/user/${a.emailAddress}`),
      userPrincipalName: a.emailAddress,
      mail: a.emailAddress,
      displayName: `${a.firstName} ${a.lastName}`,
      password: `pw-${a.agentId}`,
    });
  }
  // App roles as in the sandbox world, so the tests read the Health Check and Log Reader over the tab API.
  const person = (name: string, appRoles: readonly string[] = []): EmulatedUser => ({
    id: stableGuid(`contoso/user/${name}`),
    userPrincipalName: `${name}@contoso.example`,
    mail: `${name}@contoso.example`,
    displayName: name,
    password: `pw-${name}`,
    appRoles,
  });
  const admin = person('sandbox.admin', [ADMIN_ROLE]);
  const owner = person('sync.owner');
  // Graph allows one presence subscription per app per delegated user, ≤ 650 users each: enough owners for every agent.
  const owners = [
    owner,
    ...Array.from({ length: Math.ceil(userOfAgent.size / 650) - 1 }, (_, i) => person(`sync.owner-${i + 2}`)),
  ];
  const support = person('sandbox.support', [SUPPORT_ROLE]);
  const tenant: EmulatedTenant = {
    id: stableGuid('contoso/tenant'),
    apps: [
      {
        clientId: stableGuid('contoso/app'),
        clientSecret: 'sandbox-secret',
        roles: ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'],
        // As the app registration asks (aad.manifest.json): the people picker searches on the admin's behalf.
        delegatedScopes: ['Presence.Read.All', 'User.Read', 'People.Read', 'User.ReadBasic.All'],
      },
    ],
    users: [admin, support, ...owners, ...userOfAgent.values()],
  };
  return { tenant, userOfAgent, admin, support, owner, owners };
}

function forward(
  port: number,
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  body: Buffer,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const out = request(
      {
        agent: false,
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${port}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve(answer.statusCode ?? 502));
      },
    );
    out.on('error', () => resolve(res.headersSent ? 502 : undefined));
    out.end(body);
  });
}

async function startBalancer(tls: LocalTls): Promise<LoadBalancer> {
  let backends: number[] = [];
  let next = 0;
  const served: LoadBalancer['served'][number][] = [];
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on(
      'end',
      () =>
        void (async () => {
          // Not chained: restify, loaded in this process by the product's modules, patches writeHead.
          for (let tries = 0; tries < backends.length; tries += 1) {
            const port = backends[next++ % backends.length]!;
            const status = await forward(port, req, res, Buffer.concat(chunks));
            if (status !== undefined) {
              served.push({ port, path: (req.url ?? '').split('?')[0]!, status });
              return;
            }
          }
          if (!res.headersSent) res.writeHead(502);
          res.end();
        })().catch(() => res.destroy()),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    setBackends: (ports) => void (backends = [...ports]),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a caller may set apart from the realism below (a bench that measures the budget, not the lag). */
export interface SharedWorldOptions {
  readonly teams?: number;
  readonly cxoneRealism?: CxoneRealism;
  readonly notificationLatency?: NotificationLatency;
}

/** Starts the emulators and the balancer; `dir` receives ca.pem. */
export async function startSharedWorld(
  dir: string,
  agents = 30,
  options: SharedWorldOptions = {},
): Promise<SharedWorld> {
  const tls = await createLocalTls();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tls.caCertPem);
  // Realism: the sandbox's (test/support/realism.ts): CXone's 2 s reporting lag and 15 requests/s
  // (shared by every instance, as one business unit's limit is), Graph's notification latency
  // around a 3 s median (seeded, capped at 10 s).
  const cxone = await startCxoneEmulator({
    tls,
    clock: new SandboxClock(Date.now(), true),
    seed: { teams: options.teams ?? 3, agents, seed: 7 },
    port: 0,
    realism: options.cxoneRealism ?? E2E_CXONE,
  });
  const { tenant, userOfAgent, admin, support, owner, owners } = entraTenant(cxone.model.agents.values());
  const graph = await startGraphEmulator({
    tenants: [tenant],
    tls,
    webhookCaPem: tls.caCertPem,
    tickIntervalMs: 1000,
    deliveryTimeouts: { firstMs: 10_000, retryMs: 10_000 },
    notificationLatency: options.notificationLatency ?? e2eNotificationLatency(),
  });
  const balancer = await startBalancer(tls);
  return {
    cxone,
    graph,
    entra: tenant,
    userOfAgent,
    admin,
    support,
    owner,
    owners,
    caFile,
    balancer,
    async close() {
      await balancer.close();
      await graph.close();
      await cxone.close();
    },
  };
}
