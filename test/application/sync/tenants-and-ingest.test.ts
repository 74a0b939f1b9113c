import { jest } from '@jest/globals';
import { acd, P, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';
import { flushPromises } from '../fakes/manual-time.js';

describe('sync engine: tenants', () => {
  it("does not let one tenant's storm delay another tenant's event", async () => {
    const h = new EngineHarness({ engine: { concurrency: 2, maxQueuedPerTenant: 50 } });
    const storm = await h.tenant('storm', { agents: 300, rule: rule() });
    const quiet = await h.tenant('quiet', { agents: 1, rule: rule() });
    await h.start(storm, { startFeed: true });
    await h.start(quiet, { startFeed: true });
    storm.graph.asyncWrites = true;
    quiet.graph.asyncWrites = true;
    await h.holdWorkers(storm);

    for (const agentId of storm.agentIds) await storm.acd.change(agentId, acd.contact());
    await quiet.acd.change('agent-1', acd.contact());
    storm.acd.releaseDirectory();
    await h.settle();

    expect(h.writeLog).toHaveLength(301);
    // The storm's 300 events were in the inbox first; the quiet tenant still gets the next turn.
    expect(h.writeLog.indexOf('quiet')).toBeLessThanOrEqual(4);
  });

  it('keeps tenants apart: a tenant only ever writes through its own adapters', async () => {
    const h = new EngineHarness();
    const a = await h.tenant('a', { agents: 2, rule: rule() });
    const b = await h.tenant('b', { agents: 2, rule: rule() });
    await h.start(a, { startFeed: true });
    await h.start(b, { startFeed: true });
    await a.acd.change('agent-1', acd.contact());
    await h.settle();

    expect(a.graph.applied.map((w) => w.desire.userId)).toEqual(['aad-1']);
    expect(b.graph.writes).toHaveLength(0);
  });
});

describe('sync engine: ingress', () => {
  it('maps a Teams user to its agent, and traces then drops notifications of unlinked users', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    t.graph.addUser('aad-stranger');
    await h.start(t);

    const added = await h.engine.acceptPresenceNotifications([
      t.graph.userSets('aad-1', P.dnd),
      t.graph.userSets('aad-stranger', P.dnd),
    ]);
    await h.trace.flush();

    expect(added).toBe(1);
    expect(h.store.inbox.rows.filter((r) => r.event.source === 'teams').at(-1)?.agentId).toBe('agent-1');
    expect(h.traces('t1', 'teams:aad-stranger')[0]?.summary).toMatch(/dropped, the Teams user is not linked/);
    expect(h.health.components('t1').find((c) => c.component === 'webhook')?.status).toBe('ok');
  });

  it('leaves a Log Reader line for a notification dropped as a duplicate of a presence version already received', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule({ direction: 'subscriber' }) });
    await h.start(t);
    const first = t.graph.userSets('aad-1', P.dnd);
    expect(await h.engine.acceptPresenceNotifications([first])).toBe(1);
    await h.time.advance(5_000);
    const again = { ...first, receivedAt: h.time.now() };

    expect(await h.engine.acceptPresenceNotifications([again])).toBe(0);
    await h.trace.flush();

    const lines = h.traces('t1', 'agent-1').filter((e) => e.hop === 'teams.notification');
    // The copy is traced as it arrives, then its fate: dropped, on the original's trace.
    expect(lines.at(-1)!.summary).toMatch(
      /^Teams: dropped as a duplicate of event teams:aad-1:.+, already received at /,
    );
    expect(lines.at(-1)!.traceId).toBe(lines[0]!.traceId);
    expect(lines.filter((e) => e.summary.startsWith('Teams: dropped as a duplicate'))).toHaveLength(1);
  });

  it('maps a burst of notifications (Graph batching when busy) with one link lookup for its users, unlinked ones dropped', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 30, rule: rule({ direction: 'subscriber' }) });
    t.graph.addUser('aad-stranger');
    await h.start(t);
    const byTeamsUser = jest.spyOn(h.store.userLinks, 'byTeamsUser');
    const list = jest.spyOn(h.store.userLinks, 'list');
    const before = h.store.inbox.rows.length;

    const burst = [
      ...Array.from({ length: 25 }, (_, i) => t.graph.userSets(`aad-${i + 1}`, P.dnd)),
      t.graph.userSets('aad-stranger', P.dnd),
    ];
    const added = await h.engine.acceptPresenceNotifications(burst);

    expect(added).toBe(25);
    expect(byTeamsUser).not.toHaveBeenCalled();
    expect(list).not.toHaveBeenCalled();
    expect(new Set(h.store.inbox.rows.slice(before).map((r) => r.agentId))).toEqual(
      new Set(Array.from({ length: 25 }, (_, i) => `agent-${i + 1}`)),
    );
  });

  it('reads presences in one batch for notifications without resource data', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 3, rule: rule({ direction: 'subscriber' }) });
    for (const agentId of t.agentIds) await t.acd.change(agentId, acd.available());
    await h.start(t, { startFeed: true });
    const readsBefore = t.graph.reads.length;

    await h.engine.acceptPresenceNotifications(
      ['aad-1', 'aad-2', 'aad-3'].map((u) => t.graph.userSets(u, P.dnd, false)),
    );
    await h.settle();

    expect(t.graph.reads.slice(readsBefore)).toEqual([['aad-1', 'aad-2', 'aad-3']]);
    expect(t.acd.writes).toHaveLength(3);
  });

  it('resolves only after the events are durable, so the webhook can acknowledge', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 1, rule: rule() });
    t.graph.holdWrites = true;
    await h.engine.acceptAcdEvents([
      { source: 'acd', tenantId: 't1', agentId: 'agent-1', state: acd.contact(), sourceTime: 1, eventId: 'e1' },
    ]);
    await flushPromises();
    expect(await h.store.inbox.depth('t1')).toBe(1);
    expect(h.metrics.count('events_in{source=acd}')).toBe(1);
  });
});
