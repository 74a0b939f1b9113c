import type { EffectOutcome, EventSourceLabel, Metrics, ReconcileCause } from '../../../src/application/ports.js';
import type { Effect } from '../../../src/domain/effects.js';

/** Counts what the engine reported, keyed like the Prometheus series. */
export class RecordingMetrics implements Metrics {
  readonly counters = new Map<string, number>();
  readonly latencies: { direction: string; ms: number }[] = [];
  readonly acks: number[] = [];
  readonly depth = new Map<string, number>();

  eventsIn(source: EventSourceLabel, count: number): void {
    this.add(`events_in{source=${source}}`, count);
  }
  effect(kind: Effect['kind'], outcome: EffectOutcome): void {
    this.add(`effects{kind=${kind},outcome=${outcome}}`, 1);
  }
  syncLatency(direction: 'acd-to-teams' | 'teams-to-acd', ms: number): void {
    this.latencies.push({ direction, ms });
  }
  webhookAck(ms: number): void {
    this.acks.push(ms);
  }
  inboxDepth(tenantId: string, depth: number): void {
    this.depth.set(tenantId, depth);
  }
  graphThrottled(): void {
    this.add('graph_throttled', 1);
  }
  reconcileCorrection(cause: ReconcileCause): void {
    this.add(`reconcile_corrections{cause=${cause}}`, 1);
  }
  notificationUnopened(code: string): void {
    this.add(`notifications_unopened{code=${code}}`, 1);
  }
  count(key: string): number {
    return this.counters.get(key) ?? 0;
  }
  private add(key: string, n: number): void {
    this.counters.set(key, this.count(key) + n);
  }
}
