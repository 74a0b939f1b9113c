import restify from 'restify';
import type { AlertStateStore } from '../../../../src/application/ports.js';
import { MemoryAlertStateStore } from '../../../application/fakes/memory-shared-state.js';
import type { AddressInfo } from 'node:net';
import { registerBotRoutes, type BotRuntime } from '../../../../src/adapters/bot/bot-routes.js';
import type { PresenceRule } from '../../../../src/domain/presence-rule.js';
import { FakeBotConnector } from './fake-bot-connector.js';
import {
  counterIds,
  FakeBotQueries,
  FakeHealthSource,
  InMemoryConversationStore,
  ManualTime,
  RecordingLogger,
  type FakeTenant,
} from './bot-fakes.js';
import { LocalBotIssuer } from './local-bot-issuer.js';

export const APP_ID = '8d1f6b1e-2f0c-4a7e-9a51-5b2b0c6f1a11';
export const TEAMS_APP_ID = '3c0d5a7e-1b2c-4d3e-8f90-a1b2c3d4e5f6';
export const TENANT = 'b7a1c2d3-0000-4000-8000-00000000c0de';
export const OTHER_TENANT = 'f0f0f0f0-0000-4000-8000-00000000beef';
export const ADMIN = { id: '29:admin', name: 'Adele Admin', aadObjectId: 'aad-admin' };
export const MEMBER = { id: '29:member', name: 'Megan Member', aadObjectId: 'aad-member' };
export const SUPPORT = { id: '29:support', name: 'Sam Support', aadObjectId: 'aad-support' };

const rule: PresenceRule = {
  id: 'rule-1',
  tenantId: TENANT,
  name: 'Voice calls show In a call',
  partnerPlatform: 'msteams',
  direction: 'publisher',
  scope: { kind: 'team', teamIds: ['team-7'] },
  enabled: true,
  manualStatusPolicy: 'respect',
  noSyncStates: [],
  debounceMs: 0,
  version: 1,
  mappings: [{ acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } }],
};

export function contosoTenant(now: number, admins: readonly string[] = [ADMIN.aadObjectId]): FakeTenant {
  return {
    admins,
    support: [SUPPORT.aadObjectId],
    health: {
      status: 'ok',
      syncActive: true,
      syncDetail: 'syncing 2 agents',
      components: [
        { component: 'acd.connection', status: 'ok', detail: 'connected', since: now - 60_000, lastSuccess: now },
        { component: 'graph.auth', status: 'ok', detail: 'token valid', since: now - 60_000 },
      ],
    },
    agents: [
      {
        agentId: '1001',
        name: 'Ann Agent',
        email: 'ann@contoso.test',
        teamsUserId: 'aad-ann',
        acdState: {
          name: 'InboundContact',
          afterCallWork: false,
          contact: { contactId: 'c-1', media: 'voice', mediaTypeId: 4, counterpart: 'customer', isOutbound: false },
        },
        teamsPresence: { availability: 'Busy', activity: 'InACall' },
        rule: { id: 'rule-1', name: rule.name },
        ruleExplanation: 'team rule of team-7 (no user rule)',
        lastSync: { at: now - 5_000, side: 'teams', presence: { availability: 'Busy', activity: 'InACall' } },
      },
    ],
    hops: [
      {
        id: 'h2',
        tenantId: TENANT,
        agentId: '1001',
        traceId: 't1',
        hop: 'graph.response',
        at: now - 4_000,
        latencyMs: 120,
        summary: '200 OK',
        data: {},
      },
      {
        id: 'h1',
        tenantId: TENANT,
        agentId: '1001',
        traceId: 't1',
        hop: 'acd.event',
        at: now - 5_000,
        summary: 'InboundContact voice',
        data: {},
      },
    ],
    rules: [rule],
  };
}

export interface BotHarness {
  readonly issuer: LocalBotIssuer;
  readonly connector: FakeBotConnector;
  readonly queries: FakeBotQueries;
  readonly conversations: InMemoryConversationStore;
  readonly time: ManualTime;
  readonly health: FakeHealthSource;
  readonly logger: RecordingLogger;
  readonly runtime: BotRuntime;
  readonly url: string;
  /** POSTs an activity; `token` undefined = a valid channel token, null = no header. */
  post(activity: Record<string, unknown>, token?: string | null): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly alertOptions?: { batchWindowMs: number; minIntervalMs: number };
  /** The alert pacing state, shared by harnesses that play several instances of one deployment. */
  readonly alertStates?: AlertStateStore;
  /** The bot's conversations, likewise shared (one store behind several instances). */
  readonly conversations?: InMemoryConversationStore;
  /** `playground`: the sandbox's unsigned mode, for the Agents Playground. Default: Bot Framework auth. */
  readonly auth?: 'bot-framework' | 'playground';
  /** Which tenant the fake knows, and its admins. Default: TENANT with ADMIN. */
  readonly tenantId?: string;
  readonly admins?: readonly string[];
  /** Connector origins trusted besides the fake connector's own (e.g. the Playground's). */
  readonly trustedOrigins?: readonly string[];
}

/** The bot on a real restify server, by default with real Bot Framework auth against the local issuer. */
export async function startBotHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const { alertOptions = { batchWindowMs: 5_000, minIntervalMs: 60_000 }, tenantId = TENANT } = options;
  const [issuer, connector] = await Promise.all([LocalBotIssuer.start(), FakeBotConnector.start()]);
  const time = new ManualTime();
  const queries = new FakeBotQueries(new Map([[tenantId, contosoTenant(time.clock.now(), options.admins)]]));
  const conversations = options.conversations ?? new InMemoryConversationStore();
  const health = new FakeHealthSource();
  const logger = new RecordingLogger();
  const server = restify.createServer();
  const serviceUrls = { httpsHosts: [], origins: [connector.serviceUrl, ...(options.trustedOrigins ?? [])] };
  const runtime = registerBotRoutes(server, {
    serviceUrls,
    ...(options.auth === 'playground'
      ? { productMode: 'sandbox' as const, auth: { mode: 'disabled-for-playground' as const } }
      : {
          productMode: 'production' as const,
          auth: {
            mode: 'bot-framework' as const,
            appId: APP_ID,
            appPassword: 'not-used-offline',
            appType: 'MultiTenant' as const,
            outboundCredentials: 'none' as const,
            channelAuthority: issuer.authority,
          },
        }),
    teamsAppId: TEAMS_APP_ID,
    queries,
    conversations,
    alertStates: options.alertStates ?? new MemoryAlertStateStore(),
    healthTransitions: health,
    alertOptions,
    logger,
    ids: counterIds(),
    clock: time.clock,
    scheduler: time,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  const post = async (activity: Record<string, unknown>, token?: string | null) => {
    const bearer = token === undefined ? await issuer.token(APP_ID, connector.serviceUrl) : token;
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(activity),
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    });
    return { status: res.status, body: await res.text() };
  };
  const close = async () => {
    runtime.close();
    server.server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([issuer.close(), connector.close()]);
  };
  return { issuer, connector, queries, conversations, time, health, logger, runtime, url, post, close };
}

let sequence = 0;

/** A Teams activity as the channel sends it (personal chat unless `conversation` says otherwise). */
export function teamsActivity(
  serviceUrl: string,
  fields: Record<string, unknown> & { from?: typeof ADMIN; tenantId?: string },
): Record<string, unknown> {
  const { from = ADMIN, tenantId = TENANT, ...rest } = fields;
  return {
    id: `act-${++sequence}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: `28:${APP_ID}`, name: 'Presence Sync' },
    conversation: { id: `a:personal-${from.aadObjectId}`, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    ...rest,
  };
}

export const message = (serviceUrl: string, text: string, from = ADMIN, tenantId = TENANT) =>
  teamsActivity(serviceUrl, { type: 'message', text, textFormat: 'plain', from, tenantId });
