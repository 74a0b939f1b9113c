import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type App } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createHttpTransport, type HttpFetch } from '../../src/adapters/shared/http-transport.js';
import { BIDIRECTIONAL_TEAM, PUBLISHER_TEAM, SUBSCRIBER_TEAM } from '../../src/sandbox/sandbox-seed.js';
import { forEachLimit } from './for-each-limit.js';
import { startSandboxWorld, type SandboxWorld } from '../../src/sandbox/sandbox-world.js';
import { E2E_CXONE, LATENCY_SEED, sandboxNotificationLatency } from '../support/realism.js';

/** Which rule an agent falls under in the sandbox seed (the team rules plus the one user rule). */
export type RuleKind = 'publisher' | 'subscriber' | 'bidirectional' | 'user';

export interface SoakAgent {
  readonly agentId: string;
  readonly teamsUserId: string;
  readonly rule: RuleKind;
  /** Position among the tenant's agents (picks its final state at the close). */
  readonly index: number;
}

/** One tenant of the soak: its own emulated CXone business unit and Entra/Graph tenant, and the product composed over them. */
export interface SoakTenant {
  readonly name: string;
  readonly app: App;
  readonly world: SandboxWorld;
  readonly tenantId: string;
  readonly agents: readonly SoakAgent[];
  readonly agentOfUser: ReadonlyMap<string, SoakAgent>;
  /** A fetch trusting the tenant's emulator CA (the workload's and the close's control calls). */
  readonly fetch: HttpFetch;
  /** POST to a `/_control` route of an emulator; resolves to the HTTP status (0: no answer after 3 tries). */
  control(system: 'cxone' | 'graph', path: string, body: unknown): Promise<number>;
  /** Control calls that got no answer at all (each is named on stderr). */
  readonly controlFailures: () => number;
  close(): Promise<void>;
}

export interface SoakTenantOptions {
  readonly name: string;
  readonly agents: number;
  readonly pollIntervalMs: number;
  readonly logLevel: string;
  /** Agents (by position) already logged in to Available when the service starts. */
  readonly loggedInAtStart: (index: number) => boolean;
  /** Added to the notification latency seed: each tenant draws its own reproducible sequence. */
  readonly seedOffset: number;
}

function ruleOf(teamId: string, agentId: string, userRuleAgent: string | undefined): RuleKind {
  if (agentId === userRuleAgent) return 'user';
  if (teamId === PUBLISHER_TEAM) return 'publisher';
  if (teamId === SUBSCRIBER_TEAM) return 'subscriber';
  if (teamId === BIDIRECTIONAL_TEAM) return 'bidirectional';
  throw new Error(`agent ${agentId} is on team ${teamId}, which no sandbox rule covers`);
}

/** Starts one tenant exactly as `npm start` does in sandbox mode (compose over the emulators), minus its built-in workload. */
export async function startSoakTenant(o: SoakTenantOptions): Promise<SoakTenant> {
  const dir = mkdtempSync(join(tmpdir(), `presence-soak-${o.name}-`));
  // The soak reads none of the emulators' own logs (the observer consumes the write log as it is
  // written) and injects no replays: kept small, they do not pass for product growth in the heap.
  // Realism: the sandbox's own (test/support/realism.ts), as `npm start` runs it — Graph notifies
  // log-normally late around 3 s, up to the documented minute (seeded per tenant, so a run's draws
  // repeat); CXone reports changes 2 s late and throttles at 15 requests/s (burst 30). The
  // convergence checks wait until nothing is owed (soak-close.ts whenQuiet), not for a fixed time.
  const world = await startSandboxWorld({
    notificationLatency: sandboxNotificationLatency(LATENCY_SEED + o.seedOffset),
    dataDir: dir,
    cxoneUrl: 'https://127.0.0.1:0',
    graphUrl: 'https://127.0.0.1:0',
    agents: o.agents,
    teams: 3,
    organisation: o.name,
    emulatorMemory: { logCap: 1_000, cxoneRequestLogCap: 1_000, cxoneFeedHistoryDepth: 0 },
    cxoneRealism: E2E_CXONE,
  });
  const env = {
    PRESENCE_SYNC_MODE: 'sandbox',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: o.logLevel,
    DATA_DIR: dir,
    SQLITE_PATH: join(dir, 'soak.sqlite'),
    POLL_INTERVAL_MS: String(o.pollIntervalMs),
    SANDBOX_WORKLOAD_RATE: '0',
    BOT_AUTH: 'disabled-for-playground',
    CXONE_AUTH_BASE_URL: 'https://127.0.0.1:0',
    GRAPH_BASE_URL: 'https://127.0.0.1:0/v1.0',
    ENTRA_LOGIN_BASE_URL: 'https://127.0.0.1:0',
  };
  const transport = createHttpTransport({ timeoutMs: 30_000, extraCaPem: world.cxone.caCertPem, connections: 32 });
  let failures = 0;
  const control = async (system: 'cxone' | 'graph', path: string, body: unknown): Promise<number> => {
    const base = system === 'cxone' ? world.cxone.url : world.graph.url;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const res = await transport.fetch(`${base}/_control${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await res.text();
        return res.status;
      } catch (e) {
        // The emulators share the loaded machine: a dropped connection is retried, a lost step is named.
        if (attempt >= 3) {
          failures += 1;
          process.stderr.write(
            `[soak] ${o.name} control ${path} got no answer: ${String((e as { cause?: unknown }).cause ?? e)}\n`,
          );
          return 0;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  };
  // The day is under way when the service starts: Teams clients running, most agents logged in.
  const users = [...world.userOfAgent];
  for (const [, user] of users) world.graph.control.teams(user.id, 'signedIn');
  await forEachLimit(
    users.filter((_, i) => o.loggedInAtStart(i)),
    16,
    ([agentId]) => control('cxone', `/agents/${agentId}/login`, { state: 'Available' }),
  );
  const app = await compose(loadConfig({ cwd: dir, env }), { sandboxWorld: world });
  await app.start();
  const fetch = transport.fetch;
  const model = world.cxone.model;
  const userRuleAgent = [...model.agents.values()].find((a) => String(a.teamId) === PUBLISHER_TEAM)?.agentId;
  const agents = [...world.userOfAgent].map(([agentId, user], index) => ({
    agentId,
    teamsUserId: user.id,
    index,
    rule: ruleOf(
      String(model.agent(Number(agentId))?.teamId),
      agentId,
      userRuleAgent === undefined ? undefined : String(userRuleAgent),
    ),
  }));
  return {
    name: o.name,
    app,
    world,
    tenantId: app.sandbox!.tenantId,
    agents,
    fetch,
    control,
    controlFailures: () => failures,
    agentOfUser: new Map(agents.map((a) => [a.teamsUserId, a])),
    async close() {
      await app.stop();
      await transport.close();
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
