import type { Clock, IdGenerator, Logger, Scheduler, TraceEvent, TraceHop, TraceStore } from '../ports.js';
import { TraceTail } from './trace-tail.js';

/** One hop as the engine describes it; id, time and latency are filled in by the recorder. */
export interface TraceInput {
  readonly tenantId: string;
  readonly agentId: string;
  readonly teamsUserId?: string | undefined;
  readonly traceId: string;
  readonly hop: TraceHop;
  readonly summary: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Defaults to the clock's now. */
  readonly at?: number;
}

/** Recorder tuning. */
export interface TraceRecorderOptions {
  /** Flush to the store once this many events are buffered. */
  readonly batchSize: number;
  /** Flush at least this often while events are buffered. */
  readonly flushIntervalMs: number;
  /** Beyond this many unflushed events (store down), the oldest are dropped. */
  readonly maxBuffered: number;
  /** Traces remembered for per-hop latency. */
  readonly maxOpenTraces: number;
}

export const DEFAULT_TRACE_RECORDER_OPTIONS: TraceRecorderOptions = Object.freeze({
  batchSize: 200, flushIntervalMs: 250, maxBuffered: 20_000, maxOpenTraces: 50_000,
});

export interface TraceRecorderDeps {
  readonly store: TraceStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

/**
 * Records every hop of every flow (Log Reader). Writes are buffered and batched because the
 * engine records several hops per event; the live tail sees each event at once.
 */
export class TraceRecorder {
  readonly tail = new TraceTail();
  private buffer: TraceEvent[] = [];
  private readonly lastHopAt = new Map<string, number>();
  private timer: (() => void) | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly options: TraceRecorderOptions;

  constructor(private readonly deps: TraceRecorderDeps, options: Partial<TraceRecorderOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_TRACE_RECORDER_OPTIONS, ...options });
  }

  record(input: TraceInput): TraceEvent {
    const at = input.at ?? this.deps.clock.now();
    const event: TraceEvent = {
      id: this.deps.ids.next(),
      tenantId: input.tenantId,
      agentId: input.agentId,
      ...(input.teamsUserId !== undefined ? { teamsUserId: input.teamsUserId } : {}),
      traceId: input.traceId,
      hop: input.hop,
      at,
      ...this.latency(input.traceId, at),
      summary: input.summary,
      data: input.data ?? {},
    };
    this.buffer.push(event);
    this.deps.logger.debug({ trace: event }, 'trace');
    this.tail.publish(event);
    this.scheduleFlush();
    return event;
  }

  /** Writes everything buffered so far; resolves when it is in the store (or dropped on failure). */
  flush(): Promise<void> {
    this.timer?.();
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  private latency(traceId: string, at: number): { latencyMs?: number } {
    const previous = this.lastHopAt.get(traceId);
    this.lastHopAt.delete(traceId);
    this.lastHopAt.set(traceId, at);
    if (this.lastHopAt.size > this.options.maxOpenTraces) {
      const oldest = this.lastHopAt.keys().next().value;
      if (oldest !== undefined) this.lastHopAt.delete(oldest);
    }
    return previous === undefined ? {} : { latencyMs: Math.max(0, at - previous) };
  }

  private scheduleFlush(): void {
    if (this.buffer.length >= this.options.batchSize) {
      void this.flush();
      return;
    }
    this.armTimer();
  }

  private armTimer(): void {
    this.timer ??= this.deps.scheduler.after(this.options.flushIntervalMs, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  private async write(batch: TraceEvent[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.deps.store.append(batch);
    } catch (error) {
      // Keep them for the next flush unless the store has been down long enough to fill memory.
      this.buffer = [...batch, ...this.buffer].slice(-this.options.maxBuffered);
      this.deps.logger.warn({ err: error, events: batch.length }, 'trace write failed; kept for retry');
      this.armTimer();
    }
  }
}
