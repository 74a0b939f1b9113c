import { acd, CODES, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';

describe('sync engine: reconciliation', () => {
  it('corrects an ACD change the feed missed and records the cause', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await h.start(t, { startFeed: true });

    t.acd.drift('agent-2', acd.contact());
    const report = await h.engine.reconcile('t1');
    await h.settle();
    await h.trace.flush();

    expect(report.corrections).toBe(1);
    expect(t.graph.shown('aad-2')).toEqual(P.inACall);
    const corrections = h
      .traces('t1', 'agent-2')
      .filter((e) => e.hop === 'reconcile.correction')
      .map((e) => e.summary);
    expect(corrections.at(-1)).toMatch(/ACD reports InboundContact.*engine last saw LoggedOut/);
    expect(h.metrics.count('reconcile_corrections{cause=acd-drift}')).toBe(1);
  });

  it('corrects a Teams change whose notification never came (subscriber rule writes the ACD)', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    await t.acd.change('agent-1', acd.available());
    await h.start(t, { startFeed: true });

    t.graph.userSets('aad-1', P.dnd);
    await h.engine.reconcile('t1');
    await h.settle();
    await h.trace.flush();

    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Unavailable', unavailableCode: { id: CODES.dnd.id } });
    expect(
      h
        .traces('t1', 'agent-1')
        .filter((e) => e.hop === 'reconcile.correction')
        .at(-1)?.summary,
    ).toMatch(
      /Teams shows DoNotDisturb\/DoNotDisturb, the engine last saw Available\/Available \(missed notification\)/,
    );
  });

  it('heals a Teams version stamp Graph never issued: the next real change goes through again', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    await t.acd.change('agent-1', acd.available());
    await h.start(t, { startFeed: true });
    // A forged notification: the presence Graph shows, under a stamp of Graph's shape ordered after every real one.
    await h.engine.acceptPresenceNotifications([{ ...t.graph.notification('aad-1'), sequenceNumber: '999999999999' }]);
    await h.settle();
    await h.time.advance(1000);
    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.dnd)]);
    await h.settle();
    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Available' }); // pinned: the real change was taken for stale

    await h.time.advance(1000);
    await h.engine.reconcile('t1');
    await h.settle();
    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Unavailable', unavailableCode: { id: CODES.dnd.id } });
    await h.time.advance(1000);
    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.available)]);
    await h.settle();
    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Available' });
  });

  it('heals a forged stamp even when the presence held is the one Graph shows', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    await t.acd.change('agent-1', acd.available());
    await h.start(t, { startFeed: true });
    await h.engine.acceptPresenceNotifications([{ ...t.graph.notification('aad-1'), sequenceNumber: '999999999999' }]);
    await h.settle();

    await h.time.advance(1000);
    expect((await h.engine.reconcile('t1')).corrections).toBe(1);
    await h.settle();
    await h.time.advance(1000);
    await h.engine.acceptPresenceNotifications([t.graph.userSets('aad-1', P.dnd)]);
    await h.settle();
    expect(t.acd.stateOf('agent-1')).toMatchObject({ name: 'Unavailable', unavailableCode: { id: CODES.dnd.id } });
  });

  it('does not write a call’s Busy again when the call ended while the run read CXone (its view of what we published is read after Teams)', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await h.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.inACall);

    // A run starts while the agent is on the call; its CXone read takes a while (a slow poll, a busy host).
    t.acd.holdSnapshot = true;
    const run = h.engine.reconcile('t1');
    await h.settle();
    // The call ends meanwhile: our session is cleared and Teams shows the agent's own presence again.
    await h.time.advance(1000);
    await t.acd.change('agent-1', acd.available());
    await h.settle();
    expect(t.graph.shown('aad-1')).toEqual(P.available);
    const writes = t.graph.writes.length;

    t.acd.releaseSnapshots();
    await run;
    await h.settle();
    await h.trace.flush();

    // Teams shows Available because we cleared the session, not because a Busy write was lost.
    expect(t.graph.shown('aad-1')).toEqual(P.available);
    expect(t.graph.writes).toHaveLength(writes);
    expect(h.traces('t1', 'agent-1').filter((e) => e.data['kind'] === 'lost-write')).toEqual([]);
  });

  it('changes nothing when both sides match what it last saw', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    await h.start(t, { startFeed: true });
    await h.engine.reconcile('t1');
    await h.settle();
    const writes = t.graph.writes.length;

    const report = await h.engine.reconcile('t1');
    await h.settle();
    expect(report.corrections).toBe(0);
    expect(t.graph.writes).toHaveLength(writes);
  });

  it('recovers a silently dropped subscription within one period and reports coverage to health', async () => {
    const h = new EngineHarness({ engine: { reconcileIntervalMs: 60_000 } });
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    await h.start(t);
    expect(t.graph.covered.size).toBe(3);

    t.graph.dropSubscriptions();
    await h.time.advance(60_000);
    await h.settle();

    expect(t.graph.covered).toEqual(new Set(['aad-1', 'aad-2', 'aad-3']));
    const subs = h.health.components('t1').find((c) => c.component === 'subscriptions');
    expect(subs?.status).toBe('ok');
    expect(subs?.detail).toMatch(/1 subscriptions covering 3 of 3 users; next expiry/);
    expect(h.health.components('t1').find((c) => c.component === 'reconciliation')?.detail).toMatch(
      /3 ACD agents and 3 Teams users checked/,
    );
  });

  it("reconciles at the tenant's saved period, and a period saved later (through any instance) applies within it", async () => {
    let saved: number | undefined;
    const h = new EngineHarness({
      engine: { reconcileIntervalMs: 300_000, configCacheMs: 5_000 },
      reconcilePeriod: async () => saved,
    });
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    const runs: number[] = [];
    const snapshot = t.acd.snapshot.bind(t.acd);
    t.acd.snapshot = () => (runs.push(h.time.now()), snapshot());
    await h.start(t);
    const start = h.time.now();
    await h.time.advance(120_000);
    expect(runs.map((at) => at - start)).toEqual([0]);

    // The Settings page saves 60 s: 120 s have passed since the last run, so one runs at the next look.
    saved = 60_000;
    await h.time.advance(5_000);
    await h.time.advance(130_000);
    expect(runs.map((at) => at - start)).toEqual([0, 125_000, 185_000, 245_000]);

    // Back to the deployment's period when the saved one is gone.
    saved = undefined;
    await h.time.advance(300_000);
    expect(runs.map((at) => at - start)).toEqual([0, 125_000, 185_000, 245_000, 545_000]);
  });

  it('keeps going when one side cannot be read, and says so', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    await h.start(t);
    t.acd.snapshotFailure = {
      system: 'cxone',
      status: 503,
      code: 'ServiceUnavailable',
      message: 'maintenance',
      transient: true,
    };

    const report = await h.engine.reconcile('t1');
    expect(report.acdChecked).toBe(0);
    expect(report.teamsChecked).toBe(1);
  });
});

describe('reconciliation: Health Check and /metrics tell the same counts', () => {
  it('the first run on a fresh store: each cause in the Health detail equals its counter', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 3, rule: rule() });
    await t.acd.change('agent-1', acd.available());
    await h.start(t, { startFeed: true });
    await h.settle();

    const detail = h.health.components('t1').find((c) => c.component === 'reconciliation')?.detail ?? '';
    const told = (cause: string): number => Number(new RegExp(`${cause} (\\d+)`).exec(detail)?.[1]);
    for (const cause of ['acd-drift', 'teams-drift'])
      expect(told(cause)).toBe(h.metrics.count(`reconcile_corrections{cause=${cause}}`));
    expect(told('teams-drift')).toBe(3);
  });
});
