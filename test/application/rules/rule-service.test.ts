import { StoreConflictError, type ExternalFailure } from '../../../src/application/ports.js';
import { RuleService } from '../../../src/application/rules/rule-service.js';
import { domainRuleValidator } from '../../../src/application/rules/rule-validator.js';
import type { PresenceRuleDraft } from '../../../src/domain/presence-rule.js';
import { err } from '../../../src/domain/result.js';
import { FakeAcd } from '../fakes/fake-acd.js';
import { SequentialIds } from '../fakes/fake-runtime.js';
import { ManualTime } from '../fakes/manual-time.js';
import { MemoryStore } from '../fakes/memory-store.js';

const T = 'tenant-1';
const actor = { tenantId: T, name: 'ada' };
const draft = (over: Partial<PresenceRuleDraft> = {}): PresenceRuleDraft => ({
  name: 'Calls',
  partnerPlatform: 'msteams',
  direction: 'publisher',
  scope: { kind: 'team', teamIds: ['team-1'] },
  mappings: [{ acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } }],
  enabled: true,
  manualStatusPolicy: 'respect',
  noSyncStates: [],
  debounceMs: 0,
  ...over,
});

function setup() {
  const time = new ManualTime();
  const store = new MemoryStore(time);
  const acd = new FakeAcd(T, time);
  acd.addAgent('agent-1', 'team-1');
  acd.addAgent('agent-2', 'team-2');
  acd.codes.set('team-1', [{ id: 'lunch', name: 'Lunch', isActive: true, isAcw: false }]);
  const changed: (readonly string[])[] = [];
  let directory: FakeAcd | undefined = acd;
  const service = new RuleService({
    rules: store.rules,
    tenants: store.tenants,
    directory: async () => directory,
    validate: domainRuleValidator,
    ids: new SequentialIds('r'),
    onRulesChanged: (_t, ids) => {
      changed.push(ids);
    },
  });
  return {
    store,
    acd,
    service,
    changed,
    disconnect: () => {
      directory = undefined;
    },
  };
}

describe('RuleService', () => {
  it('validates against the directory: an unavailable code must exist on every scoped team', async () => {
    const { service, changed } = setup();
    const bad = await service.create(
      actor,
      draft({
        scope: { kind: 'team', teamIds: ['team-1', 'team-2'] },
        mappings: [
          { acd: { kind: 'Unavailable', codeId: 'lunch' }, teams: { availability: 'Away', activity: 'Away' } },
        ],
      }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok && bad.error.code === 'RULE.INVALID')
      expect(bad.error.problems.map((p) => p.code)).toContain('RULE.CODE_NOT_ON_TEAM');
    expect(changed).toEqual([]);
    const good = await service.create(
      actor,
      draft({
        mappings: [
          { acd: { kind: 'Unavailable', codeId: 'lunch' }, teams: { availability: 'Away', activity: 'Away' } },
        ],
      }),
    );
    expect(good.ok).toBe(true);
    expect(changed).toEqual([['agent-1']]);
  });

  it('refuses a second team rule claiming the same team', async () => {
    const { service } = setup();
    await service.create(actor, draft());
    const second = await service.create(actor, draft({ name: 'Again' }));
    expect(!second.ok && second.error.code === 'RULE.INVALID' && second.error.problems.map((p) => p.code)).toEqual([
      'RULE.TEAM_CLAIMED_TWICE',
    ]);
  });

  it('turns a concurrent save detected by the store into a version conflict', async () => {
    const { service, store } = setup();
    const created = await service.create(actor, draft());
    if (!created.ok) throw new Error('setup');
    // Another instance saved between our version check and our write.
    store.rules.save = async () => {
      throw new StoreConflictError('raced');
    };
    expect(await service.update(actor, created.value.id, draft({ name: 'x' }), 1)).toEqual(
      err({ code: 'RULE.VERSION_CONFLICT', message: 'raced' }),
    );
  });

  it('enables and disables keeping the rest of the rule', async () => {
    const { service } = setup();
    const created = await service.create(actor, draft());
    if (!created.ok) throw new Error('setup');
    const off = await service.setEnabled(actor, created.value.id, false, 1);
    expect(off.ok && [off.value.enabled, off.value.version, off.value.name]).toEqual([false, 2, 'Calls']);
  });

  it('says CXone is not connected / unavailable instead of validating blind', async () => {
    const { service, acd, disconnect } = setup();
    const failure: ExternalFailure = {
      system: 'cxone',
      status: 503,
      code: 'ServiceUnavailable',
      message: 'down',
      transient: true,
      retryAfterMs: 2000,
    };
    acd.listTeams = async () => err(failure);
    const down = await service.create(actor, draft());
    expect(!down.ok && down.error).toMatchObject({ code: 'ACD.UNAVAILABLE', failure });
    disconnect();
    const r = await service.create(actor, draft());
    expect(!r.ok && r.error.code).toBe('ACD.NOT_CONNECTED');
  });

  it('reports unknown rules as not found on every operation', async () => {
    const { service } = setup();
    for (const r of [
      await service.get(T, 'nope'),
      await service.update(actor, 'nope', draft(), 1),
      await service.setEnabled(actor, 'nope', true, 1),
      await service.delete(actor, 'nope'),
    ]) {
      expect(!r.ok && r.error.code).toBe('RULE.NOT_FOUND');
    }
  });
});
