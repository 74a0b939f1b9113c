import type { AcdStateEvent } from '../../../src/domain/agent-state.js';
import type { PresenceRule } from '../../../src/domain/presence-rule.js';
import type { AgentSyncState } from '../../../src/domain/sync-state.js';
import type { Tenant } from '../../../src/domain/tenant.js';

export const aTenant = (id: string, over: Partial<Tenant> = {}): Tenant => ({
  id,
  name: `Contoso ${id}`,
  acdBusinessUnitId: '4600001',
  entraTenantId: '7f0c2a8e-1111-4a4a-9b9b-000000000001',
  partnerPlatform: 'msteams',
  syncEnabled: true,
  ...over,
});

export const aRule = (tenantId: string, id: string, over: Partial<PresenceRule> = {}): PresenceRule => ({
  id,
  tenantId,
  name: `Rule ${id}`,
  partnerPlatform: 'msteams',
  direction: 'publisher',
  scope: { kind: 'team', teamIds: ['team-1'] },
  mappings: [
    { acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } },
    { acd: { kind: 'Unavailable', codeId: '12' }, teams: { availability: 'Away', activity: 'Away' } },
  ],
  enabled: true,
  manualStatusPolicy: 'respect',
  noSyncStates: [{ kind: 'LoggedOut' }],
  debounceMs: 0,
  version: 0,
  ...over,
});

export const anAgentState = (agentId: string, over: Partial<AgentSyncState> = {}): AgentSyncState => ({
  agentId,
  teamsUserId: `aad-${agentId}`,
  teamId: 'team-1',
  acd: {
    state: {
      name: 'InboundContact',
      afterCallWork: false,
      contact: { contactId: 'c-1', media: 'voice', mediaTypeId: 4, counterpart: 'customer', isOutbound: false },
    },
    sourceTime: 1_000,
    eventId: `${agentId}:1000`,
  },
  published: { presence: { availability: 'Busy', activity: 'InACall' }, at: 1_001, ruleId: 'r1', preferred: false },
  ...over,
});

export const anAcdEvent = (tenantId: string, agentId: string, n: number): AcdStateEvent => ({
  source: 'acd',
  tenantId,
  agentId,
  state: { name: n % 2 === 0 ? 'Available' : 'InboundContact', afterCallWork: false },
  sourceTime: 1_000 + n,
  eventId: `${agentId}:${1_000 + n}`,
});
