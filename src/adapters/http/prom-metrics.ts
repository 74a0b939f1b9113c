import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type {
  EffectOutcome,
  EventSourceLabel,
  Metrics,
  ReconcileCause,
  WriteUrgency,
} from '../../application/ports.js';
import type { Effect } from '../../domain/effects.js';

/** Options of the Prometheus metrics. */
export interface PromMetricsOptions {
  /** Registry to register on; a private one by default (tests, several instances per process). */
  readonly registry?: Registry;
  /** Also export Node process metrics (CPU, memory, event loop lag). */
  readonly processMetrics?: boolean;
}

const PREFIX = 'presence_sync_';
/** Seconds: sync latency spans a local write (ms) to a throttled Graph write (tens of seconds). */
const SYNC_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Graph's budget for a webhook answer is 3 s; buckets are dense below it. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3];

/** The Metrics port on prom-client, scraped at GET /metrics. */
export class PromMetrics implements Metrics {
  readonly registry: Registry;
  private readonly events: Counter<'source'>;
  private readonly effects: Counter<'kind' | 'outcome'>;
  private readonly latency: Histogram<'direction'>;
  private readonly ack: Histogram;
  private readonly depth: Gauge<'tenant'>;
  private readonly throttled: Counter;
  private readonly corrections: Counter<'cause'>;
  private readonly unopened: Counter<'code'>;

  constructor(options: PromMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.events = new Counter({
      name: `${PREFIX}events_in_total`,
      help: 'Events accepted into the inbox, by source.',
      labelNames: ['source'],
      registers,
    });
    this.effects = new Counter({
      name: `${PREFIX}effects_total`,
      help: 'Effects carried out, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: `${PREFIX}sync_latency_seconds`,
      help: 'Event accepted to effect done, by direction.',
      labelNames: ['direction'],
      buckets: SYNC_BUCKETS,
      registers,
    });
    this.ack = new Histogram({
      name: `${PREFIX}webhook_ack_seconds`,
      help: 'Graph notification received to acknowledged.',
      buckets: ACK_BUCKETS,
      registers,
    });
    this.depth = new Gauge({
      name: `${PREFIX}inbox_depth`,
      help: 'Inbox entries not processed yet, by tenant.',
      labelNames: ['tenant'],
      registers,
    });
    this.throttled = new Counter({
      name: `${PREFIX}graph_throttled_total`,
      help: 'Graph answers 429 (Too Many Requests).',
      registers,
    });
    this.corrections = new Counter({
      name: `${PREFIX}reconcile_corrections_total`,
      help: 'Differences found and corrected by reconciliation, by cause.',
      labelNames: ['cause'],
      registers,
    });
    this.unopened = new Counter({
      name: `${PREFIX}notifications_unopened_total`,
      help: 'Acknowledged rich notifications dropped because their resource data failed authentication or decryption, by code.',
      labelNames: ['code'],
      registers,
    });
  }

  eventsIn(source: EventSourceLabel, count: number): void {
    this.events.inc({ source }, count);
  }

  effect(kind: Effect['kind'], outcome: EffectOutcome): void {
    this.effects.inc({ kind, outcome });
  }

  syncLatency(direction: 'acd-to-teams' | 'teams-to-acd', ms: number): void {
    this.latency.observe({ direction }, ms / 1000);
  }

  webhookAck(ms: number): void {
    this.ack.observe(ms / 1000);
  }

  inboxDepth(tenantId: string, depth: number): void {
    this.depth.set({ tenant: tenantId }, depth);
  }

  graphThrottled(): void {
    this.throttled.inc();
  }

  reconcileCorrection(cause: ReconcileCause): void {
    this.corrections.inc({ cause });
  }

  notificationUnopened(code: string): void {
    this.unopened.inc({ code });
  }

  /**
   * Presence writes waiting for Graph, per tenant and lane (change, correction, keepalive), read
   * from `source` at each scrape: a backlog of keep-alives is routine, one of changes is users
   * waiting to be shown in a call.
   */
  writesQueued(source: () => Iterable<readonly [string, Readonly<Record<WriteUrgency, number>>]>): void {
    new Gauge({
      name: `${PREFIX}graph_writes_queued`,
      help: 'Presence writes waiting for the Graph budget (or a retry), by tenant and lane.',
      labelNames: ['tenant', 'lane'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [tenant, lanes] of source())
          for (const [lane, n] of Object.entries(lanes)) this.set({ tenant, lane }, n);
      },
    });
  }

  /** The exposition text for a scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
