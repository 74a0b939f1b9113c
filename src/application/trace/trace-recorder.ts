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
  /** Beyond this many unwritten events (store down or slower than the engine), the oldest are dropped. */
  readonly maxBuffered: number;
  /** Traces remembered for per-hop latency, at most (the least recently hopped go first). */
  readonly maxOpenTraces: number;
  /**
   * A trace whose last hop is older than this is forgotten: its next hop, if any, shows no
   * latency. Longer than any retry chain (8 attempts, backoff up to 60 s: about 2 min). Without
   * it the map filled to maxOpenTraces (~170 bytes a trace, ~8.5 MB) at the rate flows start,
   * half an hour of growth in the soak; with it, it holds the flows of the last few minutes.
   */
  readonly maxTraceAgeMs: number;
}

/** Flush batches handed to the store in one call, at most. */
const WRITE_BATCHES_PER_CALL = 5;

export const DEFAULT_TRACE_RECORDER_OPTIONS: TraceRecorderOptions = Object.freeze({
  batchSize: 200,
  flushIntervalMs: 250,
  maxBuffered: 50_000,
  maxOpenTraces: 50_000,
  maxTraceAgeMs: 5 * 60_000,
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
  /** The one write loop in flight; events recorded meanwhile wait in `buffer` and go in its next round. */
  private writing: Promise<void> | undefined;
  /** Events dropped since the buffer last overflowed (0: not overflowing); logged once per episode. */
  private dropped = 0;
  private readonly options: TraceRecorderOptions;

  constructor(
    private readonly deps: TraceRecorderDeps,
    options: Partial<TraceRecorderOptions> = {},
  ) {
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
    if (this.buffer.length > this.options.maxBuffered) this.dropOldest(this.buffer.length - this.options.maxBuffered);
    this.deps.logger.debug({ trace: event }, 'trace');
    this.tail.publish(event);
    this.scheduleFlush();
    return event;
  }

  /**
   * Writes everything buffered so far; resolves when it is in the store (or kept for a retry when
   * the store failed). One write runs at a time: a flush during a write joins it, and the write
   * loop takes whatever was recorded meanwhile in its next round, so a store slower than the
   * engine makes the buffer grow (bounded by maxBuffered), never a chain of pending batches.
   */
  flush(): Promise<void> {
    this.timer?.();
    this.timer = undefined;
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Traces remembered for per-hop latency (bounded by maxOpenTraces and maxTraceAgeMs). */
  get openTraces(): number {
    return this.lastHopAt.size;
  }

  private latency(traceId: string, at: number): { latencyMs?: number } {
    const previous = this.lastHopAt.get(traceId);
    this.lastHopAt.delete(traceId);
    this.lastHopAt.set(traceId, at);
    // Map order is last-hop order (re-inserted above): the stale and the excess are at the front.
    const staleBefore = this.deps.clock.now() - this.options.maxTraceAgeMs;
    for (const [id, last] of this.lastHopAt) {
      if (last >= staleBefore && this.lastHopAt.size <= this.options.maxOpenTraces) break;
      this.lastHopAt.delete(id);
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

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      // A store call takes a few statements' worth: handed the whole buffer (20,000 lines after a
      // 10k-agent start-up), it kept every line alive until the last one was in, at the memory peak.
      const batch = this.buffer.splice(0, this.options.batchSize * WRITE_BATCHES_PER_CALL);
      try {
        await this.deps.store.append(batch);
        if (this.dropped > 0 && this.buffer.length < this.options.maxBuffered / 2) {
          this.deps.logger.warn(
            { dropped: this.dropped },
            'trace buffer caught up; Log Reader events were dropped while it was full',
          );
          this.dropped = 0;
        }
      } catch (error) {
        // Keep them for the next flush unless the store has been down long enough to fill memory.
        this.buffer = [...batch, ...this.buffer];
        if (this.buffer.length > this.options.maxBuffered)
          this.dropOldest(this.buffer.length - this.options.maxBuffered);
        this.deps.logger.warn({ err: error, events: batch.length }, 'trace write failed; kept for retry');
        this.armTimer();
        return;
      }
    }
  }

  /** The Log Reader loses its oldest unwritten lines rather than the process its memory. */
  private dropOldest(count: number): void {
    this.buffer.splice(0, count);
    if (this.dropped === 0)
      this.deps.logger.warn(
        { maxBuffered: this.options.maxBuffered },
        'trace buffer full; the oldest unwritten Log Reader events are dropped',
      );
    this.dropped += count;
  }
}
