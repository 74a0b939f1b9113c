import { acd, map, P, PUBLISHER_MAPPINGS, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

describe('sync engine: rule and mapping changes', () => {
  it('applies a changed rule to agents at once (re-evaluation), not at their next event', async () => {
    const h = new EngineHarness();
    const original = rule();
    const t = await h.tenant('t1', { agents: 2, rule: original });
    await h.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await h.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);

    const saved = await h.store.rules.get('t1', original.id);
    const calls = PUBLISHER_MAPPINGS.map((m) => (m.acd.kind === 'InboundContact' ? map(m.acd, P.conference) : m));
    await h.store.rules.save({ ...saved!, mappings: calls }, 'admin', saved!.version);
    const queued = await h.engine.reevaluate('t1', undefined, 'rule "Contact centre" saved');
    await h.settle();

    expect(queued).toBeGreaterThan(0);
    expect(t.graph.shown('aad-1')).toEqual(P.conference);
    expect(t.graph.shown('aad-2')).toEqual(P.available);
  });

  it('applies a rule changed through another instance, although this instance read the rules moments ago', async () => {
    const owner = new EngineHarness({ engine: { configCacheMs: 60_000 } });
    const original = rule();
    const t = await owner.tenant('t1', { agents: 1, rule: original });
    await owner.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await owner.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);

    // The admin's request lands on an instance that does not run the tenant: it saves and queues the re-evaluation.
    const other = new EngineHarness({ time: owner.time, store: owner.store });
    const saved = await other.store.rules.get('t1', original.id);
    await other.store.rules.save(
      {
        ...saved!,
        mappings: PUBLISHER_MAPPINGS.map((m) => (m.acd.kind === 'InboundContact' ? map(m.acd, P.conference) : m)),
      },
      'admin',
      saved!.version,
    );
    expect(await other.engine.reevaluate('t1')).toBeGreaterThan(0);
    await owner.time.advance(1_000); // the owner's next inbox poll
    await owner.settle();

    expect(t.graph.shown('aad-1')).toEqual(P.conference);
  });

  it('re-plans the subscriptions within seconds when the links change through another instance', async () => {
    const owner = new EngineHarness();
    const t = await owner.tenant('t1', { agents: 2, rule: rule() });
    await owner.start(t, { startFeed: true });
    await owner.settle();
    const link = await owner.store.userLinks.byAgent('t1', 'agent-2');
    await owner.store.userLinks.remove('t1', 'agent-2', 'admin');
    await owner.time.advance(1_000);
    const before = t.graph.ensureCalls.length;

    // The unlink is saved through an instance that does not run the tenant; it raises the tenant's config signal.
    const other = new EngineHarness({ time: owner.time, store: owner.store });
    await other.engine.reevaluate('t1', ['agent-2']);
    await owner.time.advance(1_000); // the owner reads the signal
    await owner.time.advance(2_000); // and changes within 2 s share one run
    await owner.settle();

    expect(link).toBeDefined();
    expect(t.graph.ensureCalls.slice(before)).toEqual([['aad-1']]);
  });

  it('stops publishing once its rule is disabled (the agent then has no effective rule)', async () => {
    const h = new EngineHarness();
    const original = rule();
    const t = await h.tenant('t1', { agents: 1, rule: original });
    await h.start(t, { startFeed: true });
    const saved = await h.store.rules.get('t1', original.id);
    await h.store.rules.save({ ...saved!, enabled: false }, 'admin');
    await h.engine.reevaluate('t1', ['agent-1']);
    await h.settle();

    await t.acd.change('agent-1', acd.contact());
    await h.settle();
    await h.trace.flush();
    expect(t.graph.writes).toHaveLength(0);
    expect(
      h
        .traces('t1', 'agent-1')
        .filter((e) => e.hop === 'decision')
        .at(-1)?.summary,
    ).toContain('NO_RULE');
  });

  it('does nothing while the tenant has paused sync and reports sync as inactive', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule(), syncEnabled: false });
    await h.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await h.settle();

    expect(t.graph.writes).toHaveLength(0);
    expect(h.health.snapshot('t1')).toMatchObject({ syncActive: false, syncDetail: 'sync paused by the tenant admin' });
  });

  it('publishes a debounced change when it held long enough, also across a restart', async () => {
    const before = new EngineHarness();
    const t = await before.tenant('t1', { agents: 1, rule: rule({ debounceMs: 3_000 }) });
    await before.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await before.settle();
    expect(t.graph.writes).toHaveLength(0);
    expect((await before.store.agentStates.get('t1', 'agent-1'))?.pending).toBeDefined();

    await before.engine.removeTenant('t1');
    const after = new EngineHarness({ time: before.time, store: before.store });
    await after.engine.addTenant(t.ports);
    await after.time.advance(3_000);
    await after.settle();

    expect(t.graph.applied.map((w) => w.desire.presence)).toEqual([P.inACall]);
  });
});

describe('sync engine: user mapping changes', () => {
  it('publishes to the newly linked Teams user after a re-link and re-evaluation', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    t.graph.addUser('aad-new');
    await h.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await h.settle();

    await h.store.userLinks.put([{ tenantId: 't1', agentId: 'agent-1', teamsUserId: 'aad-new', source: 'manual' }]);
    await h.engine.reevaluate('t1', ['agent-1'], 'agent-1 linked to aad-new');
    await h.settle();

    expect(t.graph.shown('aad-new')).toEqual(P.inACall);
    expect((await h.store.agentStates.get('t1', 'agent-1'))?.teamsUserId).toBe('aad-new');
  });

  it('an event already waiting in the queue when its agent is re-linked goes to the new Teams user', async () => {
    const h = new EngineHarness({ engine: { concurrency: 1 } });
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    t.graph.addUser('aad-new');
    await h.start(t, { startFeed: true });
    await h.holdWorkers(t);
    await t.acd.change('agent-1', acd.contact());
    await h.time.runDue();
    await t.acd.change('agent-2', acd.contact());
    await h.time.runDue();
    // agent-1's team lookup holds the only worker; agent-2's event waits, its link read ahead.
    expect(h.engine.queued('t1')).toBe(2);
    expect(t.graph.writes).toEqual([]);

    await h.store.userLinks.put([{ tenantId: 't1', agentId: 'agent-2', teamsUserId: 'aad-new', source: 'manual' }]);
    await h.engine.reevaluate('t1', ['agent-2'], 'agent-2 linked to aad-new');
    t.acd.releaseDirectory();
    await h.settle();

    expect(t.graph.writes.filter((w) => w.desire.userId === 'aad-2')).toEqual([]);
    expect(t.graph.shown('aad-new')).toEqual(P.inACall);
  });
});
