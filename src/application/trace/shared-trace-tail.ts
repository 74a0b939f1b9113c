import type { Cancel, Clock, Logger, Scheduler, TraceEvent, TraceStore } from '../ports.js';
import type { TraceListener, TraceTail } from './trace-tail.js';

/** Live tail through the store. */
export interface SharedTraceTailOptions {
  /** How often the store is read for lines other instances recorded. */
  readonly pollMs: number;
  /**
   * Lines are read back this far: another instance writes its lines in batches a moment after
   * their time (TraceRecorder flushes every 250 ms) and its clock may differ a little.
   */
  readonly lookBackMs: number;
  /** Lines read per poll at most (the newest). */
  readonly limit: number;
}

export const DEFAULT_SHARED_TRACE_TAIL: SharedTraceTailOptions = Object.freeze({
  pollMs: 500,
  lookBackMs: 10_000,
  limit: 500,
});

export interface SharedTraceTailDeps {
  /** This instance's lines, at once. */
  readonly local: Pick<TraceTail, 'subscribe'>;
  readonly traces: Pick<TraceStore, 'query'>;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

/**
 * The Log Reader's live tail on any instance: the agent's flow is recorded by the instance that
 * runs the tenant's sync (and webhooks by whichever instance Graph reached), so a stream opened
 * on another instance also reads the agent's new lines from the store. Each line is sent once,
 * whichever way it arrives first; nothing recorded before the stream opened is sent.
 */
export class SharedTraceTail {
  private readonly options: SharedTraceTailOptions;

  constructor(
    private readonly deps: SharedTraceTailDeps,
    options: Partial<SharedTraceTailOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_SHARED_TRACE_TAIL, ...options });
  }

  subscribe(tenantId: string, agentId: string, listener: TraceListener): () => void {
    const openedAt = this.deps.clock.now();
    const sent = new Map<string, number>();
    let closed = false;
    let timer: Cancel | undefined;
    const deliver = (event: TraceEvent): void => {
      if (closed || sent.has(event.id) || event.at < openedAt) return;
      sent.set(event.id, event.at);
      listener(event);
    };
    const unsubscribeLocal = this.deps.local.subscribe(tenantId, agentId, deliver);
    const poll = async (): Promise<void> => {
      const from = Math.max(openedAt, this.deps.clock.now() - this.options.lookBackMs);
      try {
        const events = await this.deps.traces.query({ tenantId, agentId, from, limit: this.options.limit });
        for (const e of events) if (e.tenantId === tenantId && e.agentId === agentId) deliver(e);
      } catch (error) {
        this.deps.logger.warn({ err: error, tenantId, agentId }, 'live tail: store not readable; retried');
      }
      // Lines older than the look-back window cannot come back from the query: forget them.
      for (const [id, at] of sent) if (at < from) sent.delete(id);
    };
    const arm = (): void => {
      timer = this.deps.scheduler.after(this.options.pollMs, () => {
        void poll().finally(() => {
          if (!closed) arm();
        });
      });
    };
    arm();
    return () => {
      closed = true;
      timer?.();
      unsubscribeLocal();
    };
  }
}
