import type { Store, UserLink } from '../application/ports.js';
import type { SandboxFetch as HttpFetch } from './sandbox-fetch.js';
import type { PresenceMapping, PresenceRule, RuleDirection, RuleScope } from '../domain/presence-rule.js';
import { FIRST_CODE_ID, FIRST_TEAM_ID } from './cxone/cxone-seed.js';
import type { EmulatedUser } from './graph/emulator-model.js';
import type { SandboxWorld } from './sandbox-world.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from './sandbox-world.js';

export const LUNCH_CODE = String(FIRST_CODE_ID + 2);
export const BREAK_CODE = String(FIRST_CODE_ID + 3);
/** Team 77 publishes, 78 subscribes, 79 does both; one agent of team 77 has its own user rule. */
export const PUBLISHER_TEAM = String(FIRST_TEAM_ID);
export const SUBSCRIBER_TEAM = String(FIRST_TEAM_ID + 1);
export const BIDIRECTIONAL_TEAM = String(FIRST_TEAM_ID + 2);

const IN_A_CALL = { availability: 'Busy', activity: 'InACall' } as const;
const VOICE: readonly PresenceMapping[] = (
  ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'] as const
).map((kind) => ({ acd: { kind }, teams: IN_A_CALL }));
const PUBLISHER: readonly PresenceMapping[] = [
  ...VOICE,
  { acd: { kind: 'Unavailable', codeId: LUNCH_CODE }, teams: { availability: 'Away', activity: 'Away' } },
  { acd: { kind: 'Unavailable', codeId: BREAK_CODE }, teams: { availability: 'Away', activity: 'Away' } },
];
const SUBSCRIBER: readonly PresenceMapping[] = [
  { acd: { kind: 'Unavailable', codeId: TEAMS_DND_CODE }, teams: { availability: 'DoNotDisturb' } },
  { acd: { kind: 'Unavailable', codeId: TEAMS_CALL_CODE }, teams: IN_A_CALL },
  { acd: { kind: 'Available' }, teams: { availability: 'Available', activity: 'Available' } },
];
/** The user rule: a call still shows In a call, but Lunch shows Presenting (Do not disturb). */
const USER_RULE: readonly PresenceMapping[] = [
  ...VOICE,
  { acd: { kind: 'Unavailable', codeId: LUNCH_CODE }, teams: { availability: 'DoNotDisturb', activity: 'Presenting' } },
];

function rule(
  tenantId: string,
  id: string,
  name: string,
  direction: RuleDirection,
  scope: RuleScope,
  mappings: readonly PresenceMapping[],
): PresenceRule {
  return {
    id,
    tenantId,
    name,
    partnerPlatform: 'msteams',
    direction,
    scope,
    mappings,
    enabled: true,
    manualStatusPolicy: 'respect',
    noSyncStates: [],
    debounceMs: 0,
    version: 0,
  };
}

/** The sandbox's rules: one of each direction on a team, plus a user rule beating its team rule. */
export function sandboxRules(tenantId: string, userRuleAgentId: string): PresenceRule[] {
  // The Teams DND code both ways: published as Do not disturb / Presenting (a settable pair), and any
  // Do not disturb seen in Teams maps back to it.
  const dndBothWays: PresenceMapping = {
    acd: { kind: 'Unavailable', codeId: TEAMS_DND_CODE },
    teams: { availability: 'DoNotDisturb', activity: 'Presenting' },
  };
  const bidirectional = [...VOICE, ...PUBLISHER.slice(VOICE.length), dndBothWays, ...SUBSCRIBER];
  return [
    rule(
      tenantId,
      'rule-publisher',
      'Calls show in Teams',
      'publisher',
      { kind: 'team', teamIds: [PUBLISHER_TEAM] },
      PUBLISHER,
    ),
    rule(
      tenantId,
      'rule-subscriber',
      'Teams DND and calls stop routing',
      'subscriber',
      { kind: 'team', teamIds: [SUBSCRIBER_TEAM] },
      SUBSCRIBER,
    ),
    rule(
      tenantId,
      'rule-bidirectional',
      'Both ways',
      'bidirectional',
      { kind: 'team', teamIds: [BIDIRECTIONAL_TEAM] },
      bidirectional,
    ),
    rule(
      tenantId,
      'rule-user',
      'Team lead: lunch is Do not disturb',
      'publisher',
      { kind: 'user', agentIds: [userRuleAgentId] },
      USER_RULE,
    ),
  ];
}

/** An owner refresh token from the emulated Entra (the sandbox's stand-in for an admin's sign-in). */
async function ownerRefreshToken(world: SandboxWorld, owner: EmulatedUser, fetchImpl: HttpFetch): Promise<string> {
  const app = world.entra.apps[0]!;
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: app.clientId,
    client_secret: app.clientSecret,
    username: owner.userPrincipalName,
    password: owner.password,
    scope: 'https://graph.microsoft.com/Presence.Read.All offline_access',
  });
  const res = await fetchImpl(`${world.graph.authorityUrl}/${world.entra.id}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const body = (await res.json()) as { refresh_token?: string };
  if (!res.ok || !body.refresh_token) throw new Error(`sandbox owner sign-in failed (${res.status})`);
  return body.refresh_token;
}

/**
 * The sandbox admin's personal chat with the bot, as if they had installed it: registered with the
 * Bot Connector emulator and stored as a conversation reference, so proactive alerts have somewhere
 * to go. Re-put on every start: the emulator's port (the serviceUrl) may change.
 */
async function seedAdminConversation(store: Store, world: SandboxWorld, tenantId: string): Promise<void> {
  // The bot has no SSO token to read roles from: it knows the users the tab API has seen with a
  // role (admins get alerts). The sandbox's admin and support users are known from the start.
  for (const [user, role] of [
    [world.admin, 'admin'],
    [world.support, 'support'],
  ] as const)
    await store.tenantAdmins.record({
      tenantId,
      aadObjectId: user.id,
      name: user.displayName,
      source: 'sandbox',
      role,
      lastSeen: Date.now(),
    });
  if (!world.botConnector) return;
  const conversationId = `a:sandbox-admin-${world.admin.id}`;
  world.botConnector.model.addConversation({ id: conversationId, tenantId, conversationType: 'personal' });
  const botId = `28:${world.entra.apps[0]!.clientId}`;
  await store.conversations.put({
    tenantId,
    conversationId,
    scope: 'personal',
    installedBy: world.admin.id,
    reference: {
      channelId: 'msteams',
      serviceUrl: world.botConnector.serviceUrl,
      locale: 'en-US',
      user: { id: `29:${world.admin.id}`, name: world.admin.displayName, aadObjectId: world.admin.id },
      bot: { id: botId, name: 'Presence Sync' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId },
    },
  });
}

/**
 * Seeds (idempotently) the one sandbox tenant: connections (CXone keys, the Entra app, the
 * subscription owners, one per 650 agents), links by e-mail and the rules — rules and links only when absent, so
 * what the admin changed in the tab survives a restart.
 */
export async function seedSandboxTenant(store: Store, world: SandboxWorld, fetchImpl: HttpFetch): Promise<string> {
  const tenantId = world.entra.id;
  const app = world.entra.apps[0]!;
  await store.tenants.upsert({
    id: tenantId,
    name: 'Contoso (sandbox)',
    acdBusinessUnitId: String(world.cxone.model.businessUnitId),
    entraTenantId: tenantId,
    partnerPlatform: 'msteams',
    syncEnabled: true,
  });
  await store.tenants.putConnection(tenantId, 'cxone', { ...world.cxone.credentials });
  const owners = world.owners ?? [world.owner];
  await store.tenants.putConnection(tenantId, 'graph', {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    owners: owners.map((o) => o.id).join(','),
  });
  for (const owner of owners)
    await store.tenants.putConnection(tenantId, `owner:${owner.id}`, {
      refreshToken: await ownerRefreshToken(world, owner, fetchImpl),
    });
  if ((await store.userLinks.list(tenantId)).length === 0) {
    const links: UserLink[] = [...world.userOfAgent].map(([agentId, user]) => ({
      tenantId,
      agentId,
      teamsUserId: user.id,
      source: 'auto',
      email: user.mail ?? user.userPrincipalName,
    }));
    await store.userLinks.put(links, 'sandbox');
  }
  if ((await store.rules.list(tenantId)).length === 0) {
    const teamLead = [...world.cxone.model.agents.values()].find((a) => String(a.teamId) === PUBLISHER_TEAM);
    for (const r of sandboxRules(tenantId, String(teamLead?.agentId ?? ''))) await store.rules.save(r, 'sandbox');
  }
  await seedAdminConversation(store, world, tenantId);
  return tenantId;
}
