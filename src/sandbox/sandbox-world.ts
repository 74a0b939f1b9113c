import { join } from 'node:path';
import type { Logger } from '../application/ports.js';
import { ADMIN_ROLE, SUPPORT_ROLE } from '../domain/access.js';
import { activityText } from './bot-connector/bot-connector-model.js';
import { startBotConnectorEmulator, type BotConnectorEmulator } from './bot-connector/bot-connector-emulator.js';
import { startCxoneEmulator, type CxoneEmulator } from './cxone/cxone-emulator.js';
import { REALISTIC_CXONE, type CxoneRealism } from './cxone/cxone-realism.js';
import { FIRST_CODE_ID } from './cxone/cxone-seed.js';
import { SandboxClock } from './sandbox-clock.js';
import type { EmulatedTenant, EmulatedUser } from './graph/emulator-model.js';
import { stableGuid } from './graph/emulator-model.js';
import { startGraphEmulator, type GraphEmulator } from './graph/graph-emulator.js';
import { realisticLatency, type NotificationLatency } from './graph/notification-latency.js';
import { loadOrCreateLocalTls } from './tls/local-ca.js';

/** Graph: one presence subscription per app per delegated user, at most 650 users in it. */
const MAX_USERS_PER_SUBSCRIPTION = 650;

/** Codes the sandbox adds for subscriber rules (Teams → ACD), on every team. */
export const TEAMS_CALL_CODE = String(FIRST_CODE_ID + 9);
export const TEAMS_DND_CODE = String(FIRST_CODE_ID + 10);

/** Options of {@link startSandboxWorld}. */
export interface SandboxWorldOptions {
  /** Where the shared local CA is kept (`<dataDir>/sandbox-tls/ca.pem`, trusted through EXTRA_CA_FILE). */
  readonly dataDir: string;
  /** Emulator addresses from config; port 0 = a free port. */
  readonly cxoneUrl: string;
  readonly graphUrl: string;
  readonly agents?: number;
  readonly teams?: number;
  /** Names the emulated organisation (default `contoso`): distinct names give distinct Entra tenant, app and user ids, so several worlds are several tenants. */
  readonly organisation?: string;
  /** Where the Bot Connector emulator listens (default 0 = a free port; conversation references carry its URL). */
  readonly botConnectorPort?: number;
  /**
   * How late Graph sends presence notifications (README of the Graph emulator, "Delivery latency").
   * Default: realistic, as production feels; tests that need speed pass NO_LATENCY.
   */
  readonly notificationLatency?: NotificationLatency;
  /**
   * The CXone emulator's reporting lag and rate limit: REALISTIC_CXONE by default (the sandbox feels
   * like production); INSTANT_CXONE for tests that count requests or need speed (CXONE_REALISM=off).
   */
  readonly cxoneRealism?: CxoneRealism;
  /** Logs each activity the bot sends to the Bot Connector emulator (the sandbox shows alerts arriving). */
  readonly logger?: Logger;
  /**
   * What the emulators remember of their own traffic (defaults: see capped-log.ts, cxone-request-log.ts,
   * cxone-feed-history.ts). The soak, which reads none of it, keeps little so its heap measures the product.
   */
  readonly emulatorMemory?: {
    readonly logCap?: number;
    readonly cxoneRequestLogCap?: number;
    readonly cxoneFeedHistoryDepth?: number;
  };
}

/** The emulated outside world of the sandbox: CXone and Graph/Entra with one matching tenant. */
export interface SandboxWorld {
  readonly cxone: CxoneEmulator;
  readonly graph: GraphEmulator;
  /**
   * Where the bot's replies and proactive alerts go (serviceUrl of the seeded admin conversation).
   * Optional: a world assembled by hand (the multi-instance tests) may have none.
   */
  readonly botConnector?: BotConnectorEmulator;
  readonly entra: EmulatedTenant;
  /** CXone agent id → the Teams user with the same e-mail. */
  readonly userOfAgent: ReadonlyMap<string, EmulatedUser>;
  /** Signs in to the tab outside Teams (app roles PresenceSync.Admin / PresenceSync.Support). */
  readonly admin: EmulatedUser;
  readonly support: EmulatedUser;
  readonly owner: EmulatedUser;
  /**
   * Every subscription owner, `owner` first: Graph allows one presence subscription (≤ 650 users)
   * per app per delegated user, so a world of more agents has one owner per 650.
   */
  readonly owners?: readonly EmulatedUser[];
  readonly caFile: string;
  close(): Promise<void>;
}

/** The sandbox never calls the real services: a non-loopback URL (a production default) means any free port. */
const portOf = (url: string): number => {
  const u = new URL(url);
  return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) ? Number(u.port || 443) : 0;
};

/** The Entra directory matching a CXone business unit: its agents as Teams users, an admin, support, owners. */
export function entraTenant(
  cxone: CxoneEmulator,
  org: string,
): {
  tenant: EmulatedTenant;
  userOfAgent: Map<string, EmulatedUser>;
  admin: EmulatedUser;
  support: EmulatedUser;
  owners: EmulatedUser[];
} {
  const userOfAgent = new Map<string, EmulatedUser>();
  for (const a of cxone.model.agents.values()) {
    userOfAgent.set(String(a.agentId), {
      id: stableGuid(`${org}/user/${a.emailAddress}`),
      userPrincipalName: a.emailAddress,
      mail: a.emailAddress,
      displayName: `${a.firstName} ${a.lastName}`,
      password: `pw-${a.agentId}`,
    });
  }
  const person = (
    name: string,
    display: string,
    appRoles: readonly string[] = [],
    directoryRoles: readonly string[] = [],
  ): EmulatedUser => ({
    id: stableGuid(`${org}/user/${name}`),
    userPrincipalName: `${name}@${org}.example`,
    mail: `${name}@${org}.example`,
    displayName: display,
    password: `pw-${name}`,
    appRoles,
    ...(directoryRoles.length > 0 ? { directoryRoles } : {}),
  });
  // The sandbox admin is also the tenant's Global Administrator: the one who may grant admin consent.
  const admin = person('sandbox.admin', 'Sandbox Admin', [ADMIN_ROLE], ['Global Administrator']);
  const support = person('sandbox.support', 'Sandbox Support', [SUPPORT_ROLE]);
  const owners = Array.from({ length: Math.max(1, Math.ceil(userOfAgent.size / MAX_USERS_PER_SUBSCRIPTION)) }, (_, i) =>
    person(i === 0 ? 'sync.owner' : `sync.owner${i + 1}`, `Presence Sync Owner${i === 0 ? '' : ` ${i + 1}`}`),
  );
  const tenant: EmulatedTenant = {
    id: stableGuid(`${org}/tenant`),
    apps: [
      {
        clientId: stableGuid(`${org}/app`),
        clientSecret: 'sandbox-secret',
        roles: ['Presence.ReadWrite.All', 'Presence.Read.All', 'User.Read.All'],
        delegatedScopes: ['Presence.Read.All', 'User.Read', 'People.Read', 'User.ReadBasic.All'],
      },
    ],
    users: [admin, support, ...owners, ...userOfAgent.values()],
  };
  return { tenant, userOfAgent, admin, support, owners };
}

/** Both subscriber codes on every team, so team rules can map Teams calls and DND to the ACD. */
export function addSubscriberCodes(cxone: CxoneEmulator): void {
  cxone.model.codes.set(Number(TEAMS_DND_CODE), {
    id: Number(TEAMS_DND_CODE),
    name: 'Teams DND',
    isActive: true,
    isAcw: false,
    agentTimeoutMins: 120,
  });
  for (const team of cxone.model.teams.values()) {
    for (const code of [Number(TEAMS_CALL_CODE), Number(TEAMS_DND_CODE)])
      if (!team.codeIds.includes(code)) team.codeIds.push(code);
  }
}

/** Starts both emulators over HTTPS with one shared local CA and one matching tenant. */
export async function startSandboxWorld(o: SandboxWorldOptions): Promise<SandboxWorld> {
  const tlsDir = join(o.dataDir, 'sandbox-tls');
  const tls = await loadOrCreateLocalTls(tlsDir);
  const cxone = await startCxoneEmulator({
    tls,
    clock: new SandboxClock(Date.now(), true),
    seed: { teams: o.teams ?? 3, agents: o.agents ?? 50, seed: 7 },
    port: portOf(o.cxoneUrl),
    realism: o.cxoneRealism ?? REALISTIC_CXONE,
    ...(o.emulatorMemory?.cxoneRequestLogCap !== undefined
      ? { requestLogCap: o.emulatorMemory.cxoneRequestLogCap }
      : {}),
    ...(o.emulatorMemory?.cxoneFeedHistoryDepth !== undefined
      ? { feedHistoryDepth: o.emulatorMemory.cxoneFeedHistoryDepth }
      : {}),
  });
  addSubscriberCodes(cxone);
  const { tenant, userOfAgent, admin, support, owners } = entraTenant(cxone, o.organisation ?? 'contoso');
  const graph = await startGraphEmulator(
    {
      tenants: [tenant],
      allowHttpLoopback: true,
      tls,
      tickIntervalMs: 1000,
      // Presence versions must outlive a restart of the sandbox, as they do in Graph (README "Presence versions").
      stateDir: join(o.dataDir, 'graph-emulator'),
      notificationLatency: o.notificationLatency ?? realisticLatency(),
      ...(o.emulatorMemory?.logCap !== undefined ? { logCap: o.emulatorMemory.logCap } : {}),
    },
    portOf(o.graphUrl),
  ).catch(async (e: unknown) => {
    await cxone.close();
    throw e;
  });
  const botConnector = await startBotConnectorEmulator({
    port: o.botConnectorPort ?? 0,
    onActivity: (a) =>
      o.logger?.info(
        {
          tenantId: a.tenantId,
          conversationId: a.conversationId,
          reply: a.replyToId !== undefined,
          text: activityText(a.activity).slice(0, 300),
        },
        'bot connector emulator: activity received',
      ),
  }).catch(async (e: unknown) => {
    await graph.close();
    await cxone.close();
    throw e;
  });
  return {
    cxone,
    graph,
    botConnector,
    entra: tenant,
    userOfAgent,
    admin,
    support,
    owner: owners[0]!,
    owners,
    caFile: join(tlsDir, 'ca.pem'),
    async close() {
      await botConnector.close();
      await graph.close();
      await cxone.close();
    },
  };
}
