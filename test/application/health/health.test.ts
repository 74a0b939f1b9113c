import { HealthModel, type HealthTransition } from '../../../src/application/health/health-model.js';
import { percentile, SyncActivity, type SyncSample } from '../../../src/application/health/sync-activity.js';
import { acd, rule } from '../../domain/builders.js';
import { EngineHarness } from '../fakes/engine-harness.js';
import { ManualTime } from '../fakes/manual-time.js';

function model(alertDebounceMs = 30_000) {
  const time = new ManualTime();
  const health = new HealthModel({ clock: time, scheduler: time }, { alertDebounceMs });
  const transitions: HealthTransition[] = [];
  health.onTransition((t) => transitions.push(t));
  return { time, health, transitions, reporter: health.reporter('t1') };
}

describe('HealthModel', () => {
  it('tracks status, detail, since and last success per component', async () => {
    const { time, health, reporter } = model();
    const t0 = time.now();
    reporter.success('acd.connection');
    await time.advance(1_000);
    reporter.report('acd.connection', 'degraded', 'CXone answered 503 twice');
    await time.advance(1_000);
    reporter.report('acd.connection', 'degraded', 'CXone answered 503 three times');

    expect(health.components('t1')).toEqual([
      {
        component: 'acd.connection',
        status: 'degraded',
        detail: 'CXone answered 503 three times',
        since: t0 + 1_000,
        lastSuccess: t0,
      },
    ]);
    expect(health.snapshot('t1').status).toBe('degraded');
  });

  it('announces ok→down and down→ok once each status has held for the debounce', async () => {
    const { time, reporter, transitions } = model();
    reporter.success('graph.auth');
    reporter.report('graph.auth', 'down', 'invalid_client: secret expired');
    await time.advance(29_999);
    expect(transitions).toEqual([]);
    await time.advance(1);
    reporter.success('graph.auth', 'token acquired');
    await time.advance(30_000);

    expect(transitions.map((t) => [t.component, t.from, t.to, t.detail])).toEqual([
      ['graph.auth', 'ok', 'down', 'invalid_client: secret expired'],
      ['graph.auth', 'down', 'ok', 'token acquired'],
    ]);
  });

  it('a transition says when the status began, not only when the debounce confirmed it', async () => {
    const { time, reporter, transitions } = model();
    reporter.success('acd.connection');
    await time.advance(5_000);
    const began = time.now();
    reporter.report('acd.connection', 'down', 'CXone unreachable');
    await time.advance(30_000);
    expect(transitions).toMatchObject([{ to: 'down', since: began, at: began + 30_000 }]);
  });

  it('does not alert on a flap shorter than the debounce, nor on a component first seen healthy', async () => {
    const { time, reporter, transitions } = model();
    reporter.success('owner:alice');
    reporter.report('owner:alice', 'down', 'refresh token revoked');
    await time.advance(10_000);
    reporter.success('owner:alice');
    await time.advance(60_000);
    expect(transitions).toEqual([]);
  });

  it('keeps tenants apart', () => {
    const { health } = model();
    health.reporter('t1').report('store', 'down', 'unreachable');
    expect(health.components('t2')).toEqual([]);
    expect(health.snapshot('t2').status).toBe('ok');
  });
});

describe('actively synced statuses', () => {
  it('counts syncs per rule mapping and direction over the last hour and day, with end-to-end latency', async () => {
    const { time, health } = model();
    const a = health.activity;
    a.record('t1', { ruleId: 'r1', direction: 'acd-to-teams', status: 'Busy/InACall', latencyMs: 100, at: time.now() });
    await time.advance(2 * 3600_000);
    for (const latencyMs of [10, 20, 30, 40])
      a.record('t1', { ruleId: 'r1', direction: 'acd-to-teams', status: 'Busy/InACall', latencyMs, at: time.now() });
    a.record('t1', {
      ruleId: 'r1',
      direction: 'teams-to-acd',
      status: 'Unavailable:103',
      latencyMs: 500,
      at: time.now(),
    });

    expect(a.active('t1')).toEqual(
      expect.arrayContaining([
        {
          ruleId: 'r1',
          direction: 'acd-to-teams',
          status: 'Busy/InACall',
          lastHour: 4,
          lastDay: 5,
          lastAt: time.now(),
        },
        {
          ruleId: 'r1',
          direction: 'teams-to-acd',
          status: 'Unavailable:103',
          lastHour: 1,
          lastDay: 1,
          lastAt: time.now(),
        },
      ]),
    );
    expect(a.latency('t1')).toEqual([
      { direction: 'acd-to-teams', count: 4, p50Ms: 20, p95Ms: 40 },
      { direction: 'teams-to-acd', count: 1, p50Ms: 500, p95Ms: 500 },
    ]);
    await time.advance(24 * 3600_000 + 1);
    expect(a.active('t1')).toEqual([]);
  });

  it('holds at most its cap per tenant, forgetting the oldest first, in the order they came', () => {
    const time = new ManualTime();
    const a = new SyncActivity(time, 3_000);
    const sample = (i: number): SyncSample => ({
      ruleId: `r${i % 3}`,
      direction: i % 2 === 0 ? 'acd-to-teams' : 'teams-to-acd',
      status: i < 5_000 ? 'Busy/InACall' : 'Away/Away',
      latencyMs: i,
      at: time.now() + i,
    });
    for (let i = 0; i < 10_000; i += 1) a.record('t1', sample(i));
    a.record('t2', sample(0));

    expect(a.held('t1')).toBe(3_000);
    expect(a.held('t2')).toBe(1);
    // Only samples 7000..9999 are left: no Busy/InACall, and their latencies are theirs.
    expect(a.active('t1').map((s) => s.status)).not.toContain('Busy/InACall');
    expect(a.active('t1').reduce((n, s) => n + s.lastDay, 0)).toBe(3_000);
    const [toTeams] = a.latency('t1');
    expect(toTeams).toEqual({ direction: 'acd-to-teams', count: 1_500, p50Ms: 8_498, p95Ms: 9_848 });
  });

  it('keeps the latest write Teams could not show with its agent, and forgets it after a day', async () => {
    const time = new ManualTime();
    const a = new SyncActivity(time);
    const base = { ruleId: 'r1', direction: 'acd-to-teams', status: 'Away/Away', latencyMs: 5 } as const;
    a.record('t1', { ...base, at: time.now(), agentId: 'a1', notShown: 'the user set Do not disturb' });
    await time.advance(2 * 3600_000);
    a.record('t1', { ...base, at: time.now(), agentId: 'a2' });
    a.record('t1', { ...base, at: time.now(), agentId: 'a3', notShown: 'in a Teams call' });

    expect(a.notShown('t1')).toEqual({
      lastHour: 1,
      lastDay: 2,
      latest: { agentId: 'a3', status: 'Away/Away', reason: 'in a Teams call', at: time.now() },
    });
    await time.advance(24 * 3600_000 + 1);
    expect(a.notShown('t1')).toEqual({ lastHour: 0, lastDay: 0 });
    expect(a.held('t1')).toBe(0);
  });

  it('names every rule and reason right after many distinct ones came and went', () => {
    const time = new ManualTime();
    const a = new SyncActivity(time, 100);
    // Each sample its own rule and reason: the names it stores are re-collected from what it holds.
    for (let i = 0; i < 20_000; i += 1)
      a.record('t1', {
        ruleId: `rule-${i}`,
        direction: 'acd-to-teams',
        status: 'Busy/InACall',
        latencyMs: 1,
        at: time.now(),
        agentId: `agent-${i}`,
        notShown: `reason ${i}`,
      });
    expect(a.active('t1').map((s) => s.ruleId)).toEqual(expect.arrayContaining(['rule-19999', 'rule-19900']));
    expect(a.active('t1')).toHaveLength(100);
    expect(a.notShown('t1').latest).toMatchObject({ agentId: 'agent-19999', reason: 'reason 19999' });
  });

  it('percentile uses the nearest rank', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });

  it('is fed by the engine: what it synced, by which rule, and that sync is active', async () => {
    const h = new EngineHarness();
    const t = await h.tenant('t1', { agents: 2, rule: rule() });
    await h.start(t, { startFeed: true });
    await t.acd.change('agent-1', acd.contact());
    await t.acd.change('agent-2', acd.contact());
    await h.settle();

    const snapshot = h.health.snapshot('t1');
    expect(snapshot.syncActive).toBe(true);
    expect(snapshot.activeSyncs).toEqual([
      {
        ruleId: 'rule-1',
        direction: 'acd-to-teams',
        status: 'Busy/InACall',
        lastHour: 2,
        lastDay: 2,
        lastAt: h.time.now(),
      },
    ]);
    expect(snapshot.latency[0]).toMatchObject({ direction: 'acd-to-teams', count: 2 });
    expect(snapshot.components.map((c) => c.component)).toEqual(
      expect.arrayContaining(['reconciliation', 'subscriptions', 'graph.auth']),
    );
  });
});
