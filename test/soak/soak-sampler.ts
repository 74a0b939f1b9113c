import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { Registry } from 'prom-client';
import type { SoakTenant } from './soak-tenant.js';

const MB = 2 ** 20;

/** A full GC before each memory sample, so the heap slope is live data, not garbage not collected yet. */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** heapTotalMb: what V8 holds committed (live and free space); RSS beyond it is native memory (SQLite, TLS, buffers). */
export interface MemorySample {
  readonly atS: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly heapTotalMb: number;
}
export interface QueueSample {
  readonly atS: number;
  readonly inbox: number;
  readonly queued: number;
  readonly writer: number;
}

/** A gauge of the runtime's own Prometheus registry (summed over label sets). */
export async function gauge(
  registry: Registry,
  name: string,
  keep: (labels: Record<string, unknown>) => boolean = () => true,
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((v) => keep(v.labels)).reduce((n, v) => n + Number(v.value), 0);
}

/**
 * Samples process memory (after a forced GC) and, from the runtimes' own gauges, each tenant's queues — inbox depth (`presence_sync_inbox_depth`), the
 * engine's in-memory keyed queue (`engine.queued`) and the Graph writer's backlog.
 */
export class SoakSampler {
  readonly memory: MemorySample[] = [];
  readonly queues = new Map<string, QueueSample[]>();
  readonly gcForced: boolean;
  private readonly gc: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** `t0`: the run's start, the time base run.ts measures the workload's start and end in. */
  constructor(
    private readonly tenants: readonly SoakTenant[],
    private readonly t0: number,
  ) {
    this.gc = exposeGc();
    this.gcForced = this.gc !== undefined;
  }

  start(memoryEveryMs: number, queueEveryMs: number): void {
    this.timers.push(
      setInterval(() => this.sampleMemory(), memoryEveryMs),
      setInterval(() => void this.sampleQueues(), queueEveryMs),
    );
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private at(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /**
   * Read from process.memoryUsage() right after the forced GC, not from the Prometheus heap gauge:
   * prom-client refreshes that gauge only when the whole registry is collected, so it held a value
   * from up to one scrape earlier, garbage included — the noise that once read 11.8 MB/min on a healthy run.
   */
  sampleMemory(): void {
    this.gc?.();
    const m = process.memoryUsage();
    this.memory.push({ atS: this.at(), rssMb: m.rss / MB, heapMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB });
  }

  async sampleQueues(): Promise<void> {
    for (const t of this.tenants) {
      const runtime = t.app.runtime;
      const inbox = await gauge(
        runtime.metrics.registry,
        'presence_sync_inbox_depth',
        (l) => l['tenant'] === t.tenantId,
      );
      const list = this.queues.get(t.name) ?? [];
      list.push({
        atS: this.at(),
        inbox,
        queued: runtime.engine.queued(t.tenantId),
        writer: runtime.adapters.get(t.tenantId)?.graph.writer.backlog ?? 0,
      });
      this.queues.set(t.name, list);
    }
  }
}

/**
 * Theil–Sen slope of y over x (per unit of x): the median of the slopes between every pair of
 * samples. A forced GC still leaves the heap a few MB up or down from one sample to the next;
 * least squares lets one such swing near the end of a short run pass for growth, the median does not.
 */
export function slope(points: readonly { x: number; y: number }[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i += 1) {
    for (let j = i + 1; j < points.length; j += 1) {
      const dx = points[j]!.x - points[i]!.x;
      if (dx !== 0) slopes.push((points[j]!.y - points[i]!.y) / dx);
    }
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
}
