import type { Server } from 'restify';
import { BOT_CONNECTOR_RESOURCE, type ConnectorTokenSource } from '../adapters/bot/bot-cloud-adapter.js';
import { botAdapterOptions } from '../adapters/bot/bot-settings.js';
import { createMsalClient } from '../adapters/graph/graph-app-credential.js';
import { createHttpTransport, type HttpFetch } from '../adapters/shared/http-transport.js';
import type { BotQueries } from '../adapters/bot/bot-queries.js';
import { registerBotRoutes, type BotRuntime } from '../adapters/bot/bot-routes.js';
import type { Clock, Logger, Store, TenantAdminStore } from '../application/ports.js';
import type { BotComponentView, BotHealthStatus, BotHealthView, BotLastSync } from '../adapters/bot/bot-queries.js';
import type { SharedTenantHealth } from '../application/health/shared-health.js';
import { resolveRule } from '../domain/resolve.js';
import type { AgentSyncState } from '../domain/sync-state.js';
import type { Config } from '../config.js';
import { timerScheduler, uuidIds, type SyncRuntime } from './sync-runtime.js';

/**
 * Roles come from the app role in the user's SSO token; the bot sees no token, so it trusts what
 * the tab API recorded when this user last called it (admin or support), or connected as
 * subscription owner (admin). Anyone else is a member: the bot shows them nothing of the tenant.
 */
export const tenantAdminRole =
  (admins: TenantAdminStore): BotQueries['roleOf'] =>
  async (tenantId, aadObjectId) => {
    const seen = aadObjectId ? await admins.get(tenantId, aadObjectId) : undefined;
    return seen ? (seen.role ?? 'admin') : 'member';
  };

/** The newest write the engine made for the agent: Teams presence published, or a CXone state requested. */
function lastSyncOf(state: AgentSyncState): BotLastSync | undefined {
  const teams = state.published;
  const acd = state.acdWritten;
  if (acd && (!teams || acd.at > teams.at)) {
    const code = state.acd?.state.unavailableCode;
    const codeName = acd.target.kind === 'Unavailable' && code?.id === acd.target.codeId ? code.name : undefined;
    return { at: acd.at, side: 'acd', target: acd.target, ...(codeName ? { codeName } : {}) };
  }
  return teams ? { at: teams.at, side: 'teams', presence: teams.presence } : undefined;
}

const STATUSES: readonly BotHealthStatus[] = ['ok', 'degraded', 'down'];
const statusOf = (v: unknown): BotHealthStatus => STATUSES.find((s) => s === v) ?? 'down';

/** The shared Health Check (this instance's model or the holder's snapshot from the store) as the bot shows it. */
function botHealthView(h: SharedTenantHealth): BotHealthView {
  const components = h.components.flatMap((c): BotComponentView[] =>
    typeof c['component'] === 'string' && typeof c['detail'] === 'string'
      ? [
          {
            component: c['component'],
            status: statusOf(c['status']),
            detail: c['detail'],
            since: Number(c['since'] ?? 0),
            ...(typeof c['lastSuccess'] === 'number' ? { lastSuccess: c['lastSuccess'] } : {}),
          },
        ]
      : [],
  );
  return { status: statusOf(h.status), syncActive: h.syncActive, syncDetail: h.syncDetail, components };
}

function botQueries(store: Store, runtime: SyncRuntime): BotQueries {
  return {
    isKnownTenant: async (t) => (await store.tenants.get(t)) !== undefined,
    roleOf: tenantAdminRole(store.tenantAdmins),
    health: async (t) => botHealthView(await runtime.sharedHealth.answer(t)),
    agentStatus: async (t, ref) => {
      const link =
        (await store.userLinks.byAgent(t, ref)) ??
        (await store.userLinks.list(t)).find((l) => l.email?.toLowerCase() === ref.toLowerCase());
      const agentId = link?.agentId ?? ref;
      const state = await store.agentStates.get(t, agentId);
      if (!state && !link) return undefined;
      const resolution = resolveRule(
        { agentId, ...(state?.teamId ? { teamId: state.teamId } : {}) },
        await store.rules.list(t),
      );
      return {
        agentId,
        ...(link?.email ? { email: link.email } : {}),
        ...(link?.teamsUserId ? { teamsUserId: link.teamsUserId } : {}),
        ...(state?.acd ? { acdState: state.acd.state } : {}),
        ...(state?.teams ? { teamsPresence: state.teams.presence } : {}),
        ...(resolution.rule ? { rule: { id: resolution.rule.id, name: resolution.rule.name } } : {}),
        ruleExplanation: resolution.explanation,
        ...(state && lastSyncOf(state) ? { lastSync: lastSyncOf(state) } : {}),
      };
    },
    lastHops: async (t, agentId, limit) => {
      await runtime.trace.flush();
      return [...(await store.traces.query({ tenantId: t, agentId, limit: 500 }))]
        .sort((a, b) => b.at - a.at)
        .slice(0, limit);
    },
    rules: (t) => store.rules.list(t),
  };
}

/**
 * The bot's Entra tokens (client credentials, Bot Connector authentication "Bot to Connector"):
 * from ENTRA_LOGIN_BASE_URL, tenant `botframework.com` (or the app's own tenant when one is set,
 * as the SDK resolves it), over the product's transport; MSAL caches them until near expiry.
 */
function connectorTokens(config: Config, fetch: HttpFetch): ConnectorTokenSource | undefined {
  const { appId, clientSecret, appTenantId, loginBaseUrl, graphBaseUrl } = config.microsoft;
  if (!appId || !clientSecret) return undefined;
  const msal = createMsalClient(
    {
      tenantId: appTenantId ?? 'botframework.com',
      clientId: appId,
      clientSecret,
      authorityHost: loginBaseUrl,
      graphBaseUrl,
    },
    fetch,
  );
  return async (resource = BOT_CONNECTOR_RESOURCE) => {
    const r = await msal.acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
    if (!r?.accessToken) throw new Error(`Entra returned no token for ${resource}`);
    return r.accessToken;
  };
}

/** The Teams bot on /api/messages (when its settings allow; otherwise the reason is logged). */
export function botRegistrar(deps: {
  config: Config;
  store: Store;
  runtime: SyncRuntime;
  clock: Clock;
  logger: Logger;
  onStarted: (bot: BotRuntime) => void;
  /** The sandbox's Bot Connector emulator, the one Connector the sandbox's bot may call besides the Playground. */
  sandboxConnectorUrl?: string;
  /** EXTRA_CA_FILE's certificate: Entra and the channel authority may be emulators. */
  caPem?: string;
}) {
  return (server: Server): void => {
    const { config } = deps;
    const options = botAdapterOptions({
      mode: config.mode,
      botAuth: config.bot.auth,
      appType: config.microsoft.appType,
      ...(config.microsoft.appId ? { appId: config.microsoft.appId } : {}),
      ...(config.microsoft.clientSecret ? { appSecret: config.microsoft.clientSecret } : {}),
      ...(config.microsoft.appTenantId ? { appTenantId: config.microsoft.appTenantId } : {}),
      trustedServiceUrls: config.bot.trustedServiceUrls,
      ...(config.bot.channelAuthority ? { channelAuthority: config.bot.channelAuthority } : {}),
      ...(deps.sandboxConnectorUrl ? { sandboxConnectorUrl: deps.sandboxConnectorUrl } : {}),
    });
    if (!options.ok) {
      deps.logger.warn({ code: options.error.code }, `bot not started: ${options.error.message}`);
      return;
    }
    const transport = createHttpTransport({
      timeoutMs: config.httpTimeoutMs,
      ...(deps.caPem ? { extraCaPem: deps.caPem } : {}),
    });
    const tokens = options.value.auth.mode === 'bot-framework' ? connectorTokens(config, transport.fetch) : undefined;
    const runtime = registerBotRoutes(server, {
      ...options.value,
      fetch: transport.fetch,
      ...(tokens ? { connectorTokens: tokens } : {}),
      teamsAppId: config.bot.teamsAppId,
      queries: botQueries(deps.store, deps.runtime),
      conversations: deps.store.conversations,
      alertStates: deps.store.alertStates,
      healthTransitions: deps.runtime.health,
      alertOptions: {
        batchWindowMs: config.alerts.batchWindowMs,
        minIntervalMs: config.alerts.minIntervalMs,
        sweepMs: config.sharedState.alertSweepMs,
      },
      logger: deps.logger,
      ids: uuidIds,
      clock: deps.clock,
      scheduler: timerScheduler,
    });
    deps.onStarted({
      ...runtime,
      close: () => {
        runtime.close();
        void transport.close();
      },
    });
  };
}
