import { afterEach, describe, expect, it } from '@jest/globals';
import { acd, rule } from '../../domain/builders.js';
import { startAdapterHarness, type AdapterHarness } from '../../adapters/graph/graph-adapter-harness.js';
import { EngineHarness } from '../fakes/engine-harness.js';

const BUDGET = 100;
/** What the writer keeps of each window for a change arriving while a backlog drains (5 % of 100). */
const RESERVE = 5;
const BACKLOG = 1_000;
const WINDOW_MS = 30_000;
/** How long the writer looks for more changes arriving with one before sending it ahead of a backlog. */
const QUIET_MS = 30;

/**
 * The writer's sleeps on Graph's manual clock: one ends once the test has moved the clock past its
 * end and wakes the due ones (no timer races the test; a sleep never ends early).
 */
class ClockSleep {
  #sleepers: { readonly until: number; readonly wake: () => void }[] = [];
  constructor(private readonly now: () => number) {}
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => this.#sleepers.push({ until: this.now() + ms, wake }));
  wakeDue(): void {
    const now = this.now();
    const due = this.#sleepers.filter((s) => s.until <= now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > now);
    for (const s of due) s.wake();
  }
}

/** Waits for a condition of real work (HTTP to the emulator); fails after `ms` without it. */
async function until(what: string, condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('sync engine over the Graph writer: a backlog waiting for the budget', () => {
  let g: AdapterHarness | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it('decides a fresh change for another agent at once and puts it on the wire within the reserve, not after the backlog', async () => {
    let clockOf: () => number = () => 0;
    const held = new ClockSleep(() => clockOf());
    g = await startAdapterHarness(BACKLOG + 1, { presenceBudget: BUDGET, sleep: held.sleep });
    const graph = g;
    clockOf = () => graph.clock.now();
    const h = new EngineHarness(); // production concurrency: 32 workers
    const t = await h.tenant('t1', { agents: BACKLOG + 1, rule: rule(), syncEnabled: false });
    const userOf = (i: number): string => graph.tenant.users[i]!.id;
    await h.store.userLinks.put(
      t.agentIds.map((agentId, i) => ({ tenantId: 't1', agentId, teamsUserId: userOf(i), source: 'manual' as const })),
      'test',
    );
    await h.engine.addTenant({ ...t.ports, presence: graph.adapter.presence }, { startFeed: true });
    await h.settle();
    // 1,000 agents go on calls while sync is paused: nothing is written yet.
    for (const agentId of t.agentIds.slice(0, BACKLOG)) await t.acd.change(agentId, acd.contact());
    await h.settle();
    expect(graph.emulator.control.writeLog).toHaveLength(0);

    // The window is spent; sync is switched on: 1,000 corrections queue for the budget.
    graph.adapter.budget.take(graph.adapter.budget.available(graph.clock.now()), graph.clock.now());
    await h.store.tenants.upsert({ ...(await h.store.tenants.get('t1'))!, syncEnabled: true });
    await h.engine.reevaluate('t1');
    await until('the writer to wait for the budget', () => graph.adapter.writer.backlog > 0);
    // The next window: the backlog takes all of it but the reserve.
    graph.emulator.control.advance(WINDOW_MS);
    await until('the backlog to spend the window', () => {
      held.wakeDue(); // the writer may not have gone to sleep yet when the clock moved
      const budget = graph.adapter.budget;
      return budget.available(graph.clock.now()) <= RESERVE && budget.inFlight === 0;
    });
    const windowAt = graph.clock.now();

    const fresh = t.agentIds[BACKLOG]!;
    const waiting = graph.adapter.writer.backlog;
    await t.acd.change(fresh, acd.contact());

    // Once the writer holds it, it looks QUIET_MS for more arriving with it (a storm's share waits its
    // turn), then sends it: the test moves Graph's clock that far, not to the next window.
    let looked = false;
    await until('the fresh change on the wire', () => {
      if (!looked && graph.adapter.writer.backlog > waiting) {
        graph.emulator.control.advance(QUIET_MS);
        looked = true;
      }
      held.wakeDue();
      return graph.emulator.control.writeLog.some((w) => w.userId === userOf(BACKLOG));
    });
    // Within the same window (no wait for the budget), in the slots kept for it.
    expect(graph.clock.now()).toBe(windowAt + QUIET_MS);
    expect(graph.emulator.control.writeLog.length).toBeLessThanOrEqual(BUDGET);
    expect(graph.emulator.control.presence(userOf(BACKLOG))).toMatchObject({ availability: 'Busy' });
    // The backlog was decided and committed too: it waits in the writer, not in the inbox.
    expect(await h.store.inbox.depth('t1')).toBe(0);
  }, 60_000);
});
