import { describe, expect, it } from '@jest/globals';
import type { GraphAnswer, GraphHttpClient } from '../../../src/adapters/graph/graph-http-client.js';
import { GraphPresenceWriter } from '../../../src/adapters/graph/graph-presence-writer.js';
import { PresenceBudget } from '../../../src/adapters/graph/presence-budget.js';
import { PresenceThrottle } from '../../../src/sandbox/graph/presence-throttle.js';
import type { ExternalFailure } from '../../../src/application/ports.js';
import { ok, type Result } from '../../../src/domain/result.js';

const WINDOW = 30_000;

/**
 * Virtual time for a discrete-event run: whoever waits registers a wake-up; when everything
 * runnable has run (two turns of the event loop), time jumps to the earliest wake-up. So a batch
 * in flight lands at its own time even while the writer sleeps through a window.
 */
class VirtualTime {
  now = 0;
  readonly #wakeups: { at: number; wake: () => void }[] = [];
  #stepping = false;

  wait(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.#wakeups.push({ at: this.now + Math.max(0, ms), wake });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#stepping) return;
    this.#stepping = true;
    setImmediate(() => setImmediate(() => this.#step()));
  }

  #step(): void {
    this.#stepping = false;
    if (this.#wakeups.length === 0) return;
    this.#wakeups.sort((a, b) => a.at - b.at);
    const next = this.#wakeups.shift()!;
    this.now = Math.max(this.now, next.at);
    next.wake();
    this.#schedule();
  }
}

/**
 * Graph as the writer meets it on a busy real clock: a batch reaches Graph `transitMs(sentAt)`
 * after it was sent, is counted there by the emulator's own sliding-window throttle, and its
 * answer lands 1 ms later.
 */
class LatentGraph implements Pick<GraphHttpClient, 'request'> {
  readonly time = new VirtualTime();
  readonly throttle: PresenceThrottle;
  throttled = 0;
  /** Each accepted item's user and the virtual time Graph counted it. */
  readonly accepted: { user: string; at: number }[] = [];

  #sent = 0;

  constructor(
    limit: number,
    private readonly transitMs: (sentAt: number, n: number) => number,
  ) {
    this.throttle = new PresenceThrottle(limit, WINDOW);
  }

  async request(_method: string, _path: string, body?: unknown): Promise<Result<GraphAnswer, ExternalFailure>> {
    await this.time.wait(this.transitMs(this.time.now, this.#sent++));
    const requests = (body as { requests: { id: string; url: string }[] }).requests;
    const responses = requests.map(({ id, url }) => {
      const wait = this.throttle.take('app/tenant', this.time.now);
      if (wait === undefined) {
        this.accepted.push({ user: url.split('/')[2]!, at: this.time.now });
        return { id, status: 200, headers: {}, body: {} };
      }
      this.throttled += 1;
      return {
        id,
        status: 429,
        headers: { 'retry-after': String(wait) },
        body: { error: { code: 'TooManyRequests' } },
      };
    });
    await this.time.wait(1);
    return ok({ status: 200, headers: {}, body: { responses } });
  }
}

async function storm(
  graph: LatentGraph,
  users: number,
  limit: number,
): Promise<{ elapsed: number; statuses: string[] }> {
  const time = graph.time;
  const writer = new GraphPresenceWriter(graph, new PresenceBudget(limit, WINDOW), {
    sessionId: 'app',
    // Pacing alone: the slots kept for late changes (and what they cost a storm) are specified below.
    expressSlots: 0,
    clock: { now: () => time.now },
    sleep: (ms) => time.wait(ms),
  });
  const outcomes = await Promise.all(
    Array.from({ length: users }, (_, i) =>
      writer.write({
        userId: `u${i}`,
        presence: { availability: 'Busy', activity: 'InACall' },
        preferred: false,
        traceId: `t${i}`,
      }),
    ),
  );
  return { elapsed: time.now, statuses: outcomes.map((o) => (o.ok ? o.value.status : o.error.code)) };
}

describe('GraphPresenceWriter pacing when Graph counts requests on arrival, not when we send them', () => {
  it('is never throttled when the first window reached Graph slowly and the next one quickly', async () => {
    // A busy start: the first window's batches take 800 ms to arrive, later ones 5 ms. Counting
    // at the send, our window reopened up to 795 ms before Graph's and the first writes were 429s.
    const graph = new LatentGraph(100, (sentAt) => (sentAt < 10_000 ? 800 : 5));
    const { statuses } = await storm(graph, 300, 100);
    expect(statuses.every((s) => s === 'written')).toBe(true);
    expect(graph.throttled).toBe(0);
    expect(graph.throttle.maxInAnyWindow('app/tenant')).toBeLessThanOrEqual(100);
  });

  it('sends each following window as wide as the first, close to the bound the budget allows', async () => {
    // 300 writes at 100 per 30 s need two more windows after the first; constant 200 ms transit.
    const graph = new LatentGraph(100, () => 200);
    const { elapsed, statuses } = await storm(graph, 300, 100);
    expect(statuses.every((s) => s === 'written')).toBe(true);
    expect(graph.throttled).toBe(0);
    // Each window costs 30 s plus the transit of its batches (counted from their answers), not one batch after another.
    expect(elapsed).toBeLessThan(2 * WINDOW + 3 * 1000);
  });

  it("sends a storm's first window 32 batches wide, so a slow round trip does not spread it over seconds", async () => {
    // 1,500 writes with a 300 ms round trip: 75 batches. Four in flight took 19 round trips (5.7 s),
    // and the storm's next window, opening 30 s after each answer, opened that much later too.
    const graph = new LatentGraph(1500, () => 300);
    const { statuses } = await storm(graph, 1500, 1500);
    expect(statuses.every((s) => s === 'written')).toBe(true);
    expect(graph.throttled).toBe(0);
    // Three round trips of 32 batches.
    expect(Math.max(...graph.accepted.map((a) => a.at))).toBeLessThan(3 * 301 + 50);
  });

  it('sends a batch as soon as its slot frees, while earlier batches of the window are still on their way', async () => {
    // Slow links (3 s) and answers 50 ms apart: the second window's slots free 50 ms apart too.
    // Waiting for a batch to land before looking at the budget again sent that window one batch per 3 s.
    // 160 writes, 80 per window = 4 batches, all in flight at once in the first window.
    const graph = new LatentGraph(80, (_at, n) => 3000 + (n < 4 ? 50 * n : 0));
    const { elapsed, statuses } = await storm(graph, 160, 80);
    expect(statuses.every((s) => s === 'written')).toBe(true);
    expect(graph.throttled).toBe(0);
    // The last slot frees at 30 s + 3.15 s (its first-window answer) and its batch takes 3 s more;
    // one batch after another would have needed 30 s + 3 s + 2 × 3 s.
    expect(elapsed).toBeLessThan(WINDOW + 3151 + 3001 + 100);
  });
});

const BUSY = { availability: 'Busy', activity: 'InACall' } as const;

function writerOn(graph: LatentGraph, limit: number): GraphPresenceWriter {
  const time = graph.time;
  return new GraphPresenceWriter(graph, new PresenceBudget(limit, WINDOW), {
    sessionId: 'app',
    clock: { now: () => time.now },
    sleep: (ms) => time.wait(ms),
  });
}

describe('GraphPresenceWriter: what goes first when the budget cannot take everything at once', () => {
  it('sends a change that arrives while a backlog drains within the horizon, not behind the backlog', async () => {
    const graph = new LatentGraph(100, () => 20);
    const writer = writerOn(graph, 100);
    const backlog = Array.from({ length: 400 }, (_, i) =>
      writer.write({ userId: `u${i}`, presence: BUSY, preferred: false, traceId: `t${i}` }),
    );
    const late: Promise<unknown>[] = [];
    for (const at of [5_000, 12_000, 41_000]) {
      await graph.time.wait(at - graph.time.now);
      late.push(writer.write({ userId: `late-${at}`, presence: BUSY, preferred: false, traceId: `late-${at}` }));
    }
    await Promise.all([...backlog, ...late]);
    for (const at of [5_000, 12_000, 41_000]) {
      const counted = graph.accepted.find((a) => a.user === `late-${at}`)!.at;
      // The writer looks 30 ms for more arriving with it (expressQuietMs), then one 20 ms transit.
      expect(counted - at).toBeLessThanOrEqual(30 + 20 + 5);
    }
    expect(graph.throttled).toBe(0);
    // The kept slot costs the backlog one slot per window: 400 writes at 100 per 30 s end in the 5th window, not later.
    expect(graph.time.now).toBeLessThan(4 * WINDOW + 1_000);
  });

  it("keeps its slots for a single change even while a storm's changes keep arriving behind the backlog", async () => {
    // 1,500 per 30 s keeps 75 slots. 2,100 calls as the CXone feed delivers them: clumps of 300 a
    // second, each spread over 120 ms as the engine decides them. Each clump fits what is left of
    // the window when it lands, until one does not: taking every free slot, the storm used up the
    // kept ones and a call at 8 s waited for the window (22 s).
    const graph = new LatentGraph(1500, () => 20);
    const writer = writerOn(graph, 1500);
    const all: Promise<unknown>[] = [];
    const write = (userId: string): void =>
      void all.push(writer.write({ userId, presence: BUSY, preferred: false, traceId: userId }));
    for (let clump = 0; clump < 7; clump += 1) {
      await graph.time.wait(clump * 1000 - graph.time.now);
      for (let i = 0; i < 300; i += 1) {
        if (i % 10 === 0) await graph.time.wait(4);
        write(`storm-${clump * 300 + i}`);
      }
    }
    const singles = [8_000, 9_500, 12_000, 20_000, 29_000];
    for (const at of singles) {
      await graph.time.wait(at - graph.time.now);
      write(`single-${at}`);
    }
    await Promise.all(all);
    for (const at of singles) {
      const counted = graph.accepted.find((a) => a.user === `single-${at}`)!.at;
      expect(counted - at).toBeLessThanOrEqual(30 + 20 + 5);
    }
    expect(graph.throttled).toBe(0);
    // The kept slots cost the storm latency, not throughput: its last 600 go as the window frees.
    const lastStorm = Math.max(...graph.accepted.filter((a) => a.user.startsWith('storm-')).map((a) => a.at));
    expect(lastStorm).toBeLessThan(WINDOW + 7_000);
  });

  it('lets a burst that finds the window idle and fits it take every slot at once, the kept ones included', async () => {
    const graph = new LatentGraph(100, () => 20);
    const writer = new GraphPresenceWriter(graph, new PresenceBudget(100, WINDOW), {
      sessionId: 'app',
      expressSlots: 10,
      clock: { now: () => graph.time.now },
      sleep: (ms) => graph.time.wait(ms),
    });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writer.write({ userId: `u${i}`, presence: BUSY, preferred: false, traceId: `t${i}` }),
      ),
    );
    expect(graph.accepted).toHaveLength(100);
    // Five batches, all in flight at once: one transit, not the next window.
    expect(Math.max(...graph.accepted.map((a) => a.at))).toBeLessThan(200);
  });

  it("sends a long storm's last window at once, the kept slots included, once all of it has waited a window", async () => {
    // 10,000 writes at 1,500 per 30 s: the first window takes 1,500 at once, so the bound is 6 × 30 s.
    // Kept from the last 1,000, the writes beyond what the window's start freed waited a window more (206 s).
    const graph = new LatentGraph(1500, () => 20);
    const writer = writerOn(graph, 1500);
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) =>
        writer.write({ userId: `u${i}`, presence: BUSY, preferred: false, traceId: `t${i}` }),
      ),
    );
    expect(graph.accepted).toHaveLength(10_000);
    expect(graph.throttled).toBe(0);
    expect(Math.max(...graph.accepted.map((a) => a.at))).toBeLessThan(6 * WINDOW + 2_000);
  });

  it('serves fresh changes before corrections, and corrections before keep-alives', async () => {
    const graph = new LatentGraph(20, () => 20);
    const writer = writerOn(graph, 20);
    const lanes = ['keepalive', 'correction', 'change'] as const;
    const all = lanes.flatMap((urgency) =>
      Array.from({ length: 20 }, (_, i) =>
        writer.write({
          userId: `${urgency}-${i}`,
          presence: BUSY,
          preferred: false,
          traceId: `${urgency}-${i}`,
          urgency,
        }),
      ),
    );
    await Promise.all(all);
    const firstOf = (urgency: string): number => graph.accepted.findIndex((a) => a.user.startsWith(urgency));
    const lastOf = (urgency: string): number => graph.accepted.map((a) => a.user.startsWith(urgency)).lastIndexOf(true);
    expect(lastOf('change')).toBeLessThan(firstOf('correction'));
    expect(lastOf('correction')).toBeLessThan(firstOf('keepalive'));
    expect(graph.accepted).toHaveLength(60);
  });
});
