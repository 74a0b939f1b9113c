import { PromMetrics } from '../../../src/adapters/http/prom-metrics.js';

describe('PromMetrics', () => {
  it('exposes every engine metric, prefixed presence_sync_, in the Prometheus text format', async () => {
    const m = new PromMetrics();
    m.eventsIn('acd', 3);
    m.eventsIn('teams', 1);
    m.effect('setTeamsPresence', 'written');
    m.effect('setAcdState', 'refused');
    m.syncLatency('acd-to-teams', 42);
    m.webhookAck(7);
    m.inboxDepth('tenant-1', 12);
    m.graphThrottled();
    m.reconcileCorrection('teams-drift');

    const text = await m.scrape();
    expect(text).toContain('presence_sync_events_in_total{source="acd"} 3');
    expect(text).toContain('presence_sync_events_in_total{source="teams"} 1');
    expect(text).toContain('presence_sync_effects_total{kind="setTeamsPresence",outcome="written"} 1');
    expect(text).toContain('presence_sync_effects_total{kind="setAcdState",outcome="refused"} 1');
    expect(text).toContain('presence_sync_sync_latency_seconds_bucket{le="0.05",direction="acd-to-teams"} 1');
    expect(text).toContain('presence_sync_sync_latency_seconds_bucket{le="0.025",direction="acd-to-teams"} 0');
    expect(text).toContain('presence_sync_webhook_ack_seconds_count 1');
    expect(text).toContain('presence_sync_inbox_depth{tenant="tenant-1"} 12');
    expect(text).toContain('presence_sync_graph_throttled_total 1');
    expect(text).toContain('presence_sync_reconcile_corrections_total{cause="teams-drift"} 1');
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it('reads the presence writes queued per tenant and lane at each scrape, forgetting tenants no longer run here', async () => {
    const m = new PromMetrics();
    let writers = new Map([
      ['tenant-1', { change: 3, correction: 0, keepalive: 1_250 }],
      ['tenant-2', { change: 0, correction: 7, keepalive: 0 }],
    ]);
    m.writesQueued(() => writers.entries());

    const first = await m.scrape();
    expect(first).toContain('presence_sync_graph_writes_queued{tenant="tenant-1",lane="change"} 3');
    expect(first).toContain('presence_sync_graph_writes_queued{tenant="tenant-1",lane="keepalive"} 1250');
    expect(first).toContain('presence_sync_graph_writes_queued{tenant="tenant-2",lane="correction"} 7');

    writers = new Map([['tenant-2', { change: 1, correction: 0, keepalive: 0 }]]);
    const second = await m.scrape();
    expect(second).toContain('presence_sync_graph_writes_queued{tenant="tenant-2",lane="change"} 1');
    expect(second).not.toContain('tenant="tenant-1"');
  });

  it('keeps registries apart, so two instances in one process do not clash', async () => {
    const a = new PromMetrics();
    const b = new PromMetrics();
    a.graphThrottled();
    expect(await b.scrape()).toContain('presence_sync_graph_throttled_total 0');
  });
});
