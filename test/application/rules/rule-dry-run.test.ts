import { RuleDryRun } from '../../../src/application/rules/rule-dry-run.js';
import { decide } from '../../../src/domain/decide.js';
import type { PresenceRule, PresenceRuleDraft } from '../../../src/domain/presence-rule.js';
import { resolveRule } from '../../../src/domain/resolve.js';
import { FakeAcd } from '../fakes/fake-acd.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryStore } from '../fakes/memory-store.js';

const T = 'tenant-1';
const dnd = { availability: 'DoNotDisturb', activity: 'DoNotDisturb' } as const;
const subscriber: PresenceRuleDraft = {
  name: 'DND stops routing',
  partnerPlatform: 'msteams',
  direction: 'subscriber',
  scope: { kind: 'team', teamIds: ['team-1'] },
  mappings: [{ acd: { kind: 'Unavailable', codeId: 'lunch' }, teams: dnd }],
  enabled: false,
  manualStatusPolicy: 'respect',
  noSyncStates: [],
  debounceMs: 0,
};

async function setup() {
  const time = new ManualTime();
  const store = new MemoryStore(time);
  const acd = new FakeAcd(T, time);
  acd.addAgent('agent-1', 'team-1');
  await store.tenants.upsert({
    id: T,
    name: T,
    acdBusinessUnitId: '1',
    entraTenantId: T,
    partnerPlatform: 'msteams',
    syncEnabled: true,
  });
  await store.agentStates.put(T, {
    agentId: 'agent-1',
    teamId: 'team-1',
    teamsUserId: 'aad-1',
    acd: { state: { name: 'Available', afterCallWork: false }, sourceTime: time.now() - 5000, eventId: 'a1' },
    teams: { presence: dnd, sourceTime: time.now() - 1000, eventId: 't1' },
  });
  const dryRun = new RuleDryRun({
    rules: store.rules,
    tenants: store.tenants,
    agentStates: store.agentStates,
    directory: async () => acd,
    policy: { decide, resolveRule },
    clock: time,
  });
  return { store, dryRun, time };
}

describe('RuleDryRun', () => {
  it('shows a subscriber draft would make the agent unavailable on the ACD now (evaluated as if enabled)', async () => {
    const { dryRun } = await setup();
    const r = await dryRun.run({ tenantId: T, draft: subscriber, target: { kind: 'agent', agentId: 'agent-1' } });
    if (!r.ok) throw new Error(r.error.message);
    const [agent] = r.value;
    expect(agent).toMatchObject({ agentId: 'agent-1', draftApplies: true });
    const teamsSide = agent?.decisions.find((d) => d.side === 'teams');
    expect(teamsSide?.effects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'setAcdState', target: { kind: 'Unavailable', codeId: 'lunch' } }),
      ]),
    );
  });

  it('replaces the rule being edited instead of competing with it, and writes nothing', async () => {
    const { store, dryRun } = await setup();
    const existing: PresenceRule = { ...subscriber, enabled: true, id: 'r-1', tenantId: T, version: 3, mappings: [] };
    await store.rules.save(existing, 'ada');
    const before = JSON.stringify([await store.rules.list(T), await store.agentStates.list(T)]);
    const r = await dryRun.run({
      tenantId: T,
      draft: subscriber,
      ruleId: 'r-1',
      target: { kind: 'team', teamId: 'team-1' },
    });
    expect(r.ok && r.value.map((a) => [a.agentId, a.draftApplies, a.effectiveRuleId])).toEqual([
      ['agent-1', true, 'r-1'],
    ]);
    expect(JSON.stringify([await store.rules.list(T), await store.agentStates.list(T)])).toBe(before);
  });

  it('has no decisions for an agent nothing is known about yet', async () => {
    const { store, dryRun } = await setup();
    store.agentStates.states.clear();
    const r = await dryRun.run({ tenantId: T, draft: subscriber, target: { kind: 'agent', agentId: 'agent-1' } });
    expect(r.ok && r.value[0]?.decisions).toEqual([]);
  });
});
