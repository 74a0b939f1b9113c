/**
 * A work slot held by a running task. `pause` gives the worker back while the task waits (a
 * retry backoff) but keeps its key locked, so the agent's later events stay behind it while
 * other agents use the worker.
 */
export interface Slot {
  pause<T>(waiting: Promise<T>): Promise<T>;
}

export type KeyedTask = (slot: Slot) => Promise<void>;

interface Lane {
  /** Keys with queued tasks and none running, oldest first. */
  readonly ready: string[];
  readonly tasks: Map<string, KeyedTask[]>;
  readonly busy: Set<string>;
  size: number;
}

/**
 * Runs tasks with bounded concurrency, strictly one at a time and in order per key, and round-robin
 * across lanes (tenants) so one lane's backlog never starves another. Unbounded by itself: the
 * caller bounds what it pushes per lane (`size`), which is the back-pressure.
 */
export class KeyedQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly order: string[] = [];
  private cursor = 0;
  private active = 0;
  private readonly resumers: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly doneListeners: ((lane: string) => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {
    if (concurrency < 1) throw new RangeError('concurrency must be >= 1');
  }

  push(laneId: string, key: string, task: KeyedTask): void {
    const lane = this.lane(laneId);
    const queued = lane.tasks.get(key);
    if (queued) queued.push(task);
    else {
      lane.tasks.set(key, [task]);
      if (!lane.busy.has(key)) lane.ready.push(key);
    }
    lane.size += 1;
    this.dispatch();
  }

  /** Tasks queued or running in a lane. */
  size(laneId: string): number {
    return this.lanes.get(laneId)?.size ?? 0;
  }

  get running(): number {
    return this.active;
  }

  isIdle(): boolean {
    for (const lane of this.lanes.values()) if (lane.size > 0) return false;
    return true;
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Called after each task, with its lane: the pump pulls more when room frees up. */
  onTaskDone(listener: (lane: string) => void): void {
    this.doneListeners.push(listener);
  }

  private lane(laneId: string): Lane {
    let lane = this.lanes.get(laneId);
    if (!lane) {
      lane = { ready: [], tasks: new Map(), busy: new Set(), size: 0 };
      this.lanes.set(laneId, lane);
      this.order.push(laneId);
    }
    return lane;
  }

  private dispatch(): void {
    while (this.active < this.concurrency) {
      const resume = this.resumers.shift();
      if (resume) {
        this.active += 1;
        resume();
        continue;
      }
      const next = this.nextReady();
      if (!next) return;
      this.start(next.laneId, next.lane, next.key);
    }
  }

  private nextReady(): { laneId: string; lane: Lane; key: string } | undefined {
    for (let i = 0; i < this.order.length; i += 1) {
      const index = (this.cursor + i) % this.order.length;
      const laneId = this.order[index] as string;
      const lane = this.lanes.get(laneId) as Lane;
      const key = lane.ready.shift();
      if (key !== undefined) {
        this.cursor = (index + 1) % this.order.length;
        return { laneId, lane, key };
      }
    }
    return undefined;
  }

  private start(laneId: string, lane: Lane, key: string): void {
    const queued = lane.tasks.get(key) as KeyedTask[];
    const task = queued.shift() as KeyedTask;
    if (queued.length === 0) lane.tasks.delete(key);
    lane.busy.add(key);
    this.active += 1;
    const slot: Slot = { pause: (waiting) => this.pause(waiting) };
    Promise.resolve()
      .then(() => task(slot))
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.finish(laneId, lane, key));
  }

  private async pause<T>(waiting: Promise<T>): Promise<T> {
    this.active -= 1;
    this.dispatch();
    try {
      return await waiting;
    } finally {
      await new Promise<void>((resolve) => {
        this.resumers.push(resolve);
        this.dispatch();
      });
    }
  }

  private finish(laneId: string, lane: Lane, key: string): void {
    this.active -= 1;
    lane.busy.delete(key);
    lane.size -= 1;
    if (lane.tasks.has(key)) lane.ready.push(key);
    this.dispatch();
    for (const listener of this.doneListeners) listener(laneId);
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
