import { KeyedQueue } from '../../../src/application/sync/keyed-queue.js';
import { flushPromises } from '../fakes/manual-time.js';

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}
const gate = (): Gate => {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
};

describe('KeyedQueue', () => {
  const errors: unknown[] = [];
  const queue = (concurrency: number): KeyedQueue => new KeyedQueue(concurrency, (e) => errors.push(e));

  it('runs one key strictly in order, one task at a time', async () => {
    const q = queue(4);
    const log: string[] = [];
    const gates = [gate(), gate(), gate()];
    gates.forEach((g, i) =>
      q.push('t', 'agent-1', async () => {
        log.push(`start ${i}`);
        await g.promise;
        log.push(`end ${i}`);
      }),
    );
    await flushPromises();
    expect(log).toEqual(['start 0']);
    gates[2]!.open();
    gates[1]!.open();
    await flushPromises();
    expect(log).toEqual(['start 0']);
    gates[0]!.open();
    await q.whenIdle();
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs different keys in parallel, up to the concurrency bound', async () => {
    const q = queue(3);
    const g = gate();
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i += 1) {
      q.push('t', `agent-${i}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await g.promise;
        running -= 1;
      });
    }
    await flushPromises();
    expect(running).toBe(3);
    g.open();
    await q.whenIdle();
    expect(peak).toBe(3);
  });

  it('gives lanes (tenants) turns: a backlog in one lane does not delay another', async () => {
    const q = queue(1);
    const order: string[] = [];
    for (let i = 0; i < 50; i += 1) q.push('storm', `a-${i}`, async () => void order.push('storm'));
    q.push('quiet', 'b-1', async () => void order.push('quiet'));
    await q.whenIdle();
    expect(order.indexOf('quiet')).toBeLessThanOrEqual(2);
  });

  it('frees the worker while a task pauses, keeping its key locked', async () => {
    const q = queue(1);
    const log: string[] = [];
    const backoff = gate();
    q.push('t', 'agent-1', async (slot) => {
      log.push('a1 tries');
      await slot.pause(backoff.promise);
      log.push('a1 retried');
    });
    q.push('t', 'agent-1', async () => void log.push('a1 second event'));
    q.push('t', 'agent-2', async () => void log.push('a2 runs'));
    await flushPromises();
    expect(log).toEqual(['a1 tries', 'a2 runs']);
    backoff.open();
    await q.whenIdle();
    expect(log).toEqual(['a1 tries', 'a2 runs', 'a1 retried', 'a1 second event']);
  });

  it('keeps going after a task throws and reports the error', async () => {
    const q = queue(2);
    const done: string[] = [];
    q.push('t', 'k', async () => {
      throw new Error('boom');
    });
    q.push('t', 'k', async () => void done.push('next'));
    await q.whenIdle();
    expect(done).toEqual(['next']);
    expect(errors.some((e) => e instanceof Error && e.message === 'boom')).toBe(true);
  });
});
