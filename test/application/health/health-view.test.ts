import {
  headline,
  healthView,
  syncedStatusLabel,
  type HealthNames,
} from '../../../src/application/health/health-view.js';

const names: HealthNames = {
  rule: (id) => ({ r1: 'Voice calls', r2: 'Teams calls' })[id],
  code: (id) => ({ '20070': 'Teams call' })[id],
  owner: (id) => ({ 'oid-1': 'owner@contoso.test' })[id],
};
const component = (c: string, status: 'ok' | 'degraded' | 'down', detail = 'OK') => ({
  component: c,
  status,
  detail,
  since: 0,
});
const base = {
  status: 'ok' as const,
  syncActive: true,
  syncDetail: 'syncing 50 agents',
  components: [],
  activeSyncs: [],
};

describe('the Health Check as an admin reads it', () => {
  it.each([
    ['sync running, all healthy', base, { state: 'syncing', title: 'Syncing', why: 'syncing 50 agents' }],
    [
      'a CXone outage while sync runs: degraded, never "down · sync active"',
      { ...base, status: 'down' as const, components: [component('acd.connection', 'down', 'CXone unreachable')] },
      { state: 'degraded', title: 'Sync degraded', why: 'CXone connection down: CXone unreachable' },
    ],
    [
      'sync off: stopped, with why and what is failing',
      {
        ...base,
        syncActive: false,
        syncDetail: 'sync is turned off',
        components: [component('subscriptions', 'degraded', 'no owner')],
      },
      {
        state: 'stopped',
        title: 'Sync stopped',
        why: 'sync is turned off · Teams presence subscriptions degraded: no owner',
      },
    ],
  ])('%s', (_name, h, expected) => {
    expect(
      headline(h, (c) => healthView({ ...h, components: [component(c, 'ok')] }, names).components[0]!.label),
    ).toEqual(expected);
  });

  it('puts failing components first, then by name, with human names and what to do', () => {
    const view = healthView(
      {
        ...base,
        components: [
          component('store', 'ok'),
          component('owner:oid-1', 'down', 'refresh refused'),
          component('acd.connection', 'ok'),
          component('graph.presence', 'degraded', 'throttled'),
        ],
      },
      names,
    );
    expect(view.components.map((c) => c.label)).toEqual([
      'Subscription owner owner@contoso.test',
      'Teams presence writes',
      'CXone connection',
      'Database',
    ]);
    expect(view.components[0]?.action).toMatch(/sign in again/);
  });

  it('keeps synced statuses in one order whatever synced last (rows do not jump between refreshes)', () => {
    const sync = (ruleId: string, direction: string, status: string, lastAt: number) => ({
      ruleId,
      direction,
      status,
      lastHour: 1,
      lastDay: 1,
      lastAt,
    });
    const a = [sync('r2', 'teams-to-acd', 'Unavailable:20070', 5), sync('r1', 'acd-to-teams', 'Busy/InACall', 9)];
    const order = (list: typeof a) =>
      healthView({ ...base, activeSyncs: list }, names).activeSyncs.map((s) => s.ruleName);
    expect(order(a)).toEqual(['Teams calls', 'Voice calls']);
    expect(order([...a].reverse())).toEqual(['Teams calls', 'Voice calls']);
    expect(healthView({ ...base, activeSyncs: a }, names).activeSyncs[0]).toMatchObject({
      statusLabel: 'Unavailable: Teams call',
      directionLabel: 'Teams → CXone',
    });
  });

  it.each([
    ['Busy/InACall', 'Busy / InACall'],
    ['Unavailable:20070', 'Unavailable: Teams call'],
    ['Unavailable:999', 'Unavailable: 999'],
    ['clear', 'Teams presence handed back to the user'],
  ])('names the synced status %s as "%s"', (status, label) => {
    expect(syncedStatusLabel(status, names)).toBe(label);
  });
});
