import { describe, expect, it } from '@jest/globals';
import { PresenceBudget } from '../../../src/adapters/graph/presence-budget.js';

describe('PresenceBudget (sliding window, counted from the answer)', () => {
  it('lets `limit` requests go at once, then none until the window slides past them', () => {
    const b = new PresenceBudget(3, 1000);
    expect(b.available(0)).toBe(3);
    b.take(3, 0);
    expect(b.available(999)).toBe(0);
    expect(b.nextFreeInMs(400)).toBe(600);
    expect(b.available(1000)).toBe(3);
  });

  it('a sent request holds its slot at once but leaves the window only a window after its answer', () => {
    const b = new PresenceBudget(2, 1000);
    const r = b.reserve(2);
    expect(b.available(0)).toBe(0);
    expect(b.inFlight).toBe(2);
    r.settle(300); // Graph counted it somewhere in [0, 300]: we count it from 300
    expect(b.inFlight).toBe(0);
    expect(b.available(1000)).toBe(0);
    expect(b.nextFreeInMs(1000)).toBe(300);
    expect(b.available(1300)).toBe(2);
  });

  it('cannot tell when a slot frees while only unanswered requests fill the window', () => {
    const b = new PresenceBudget(2, 1000);
    b.take(1, 0);
    b.reserve(1);
    expect(b.nextFreeInMs(10)).toBe(990);
    const c = new PresenceBudget(1, 1000);
    c.reserve(1);
    expect(c.nextFreeInMs(10)).toBeUndefined();
    expect(c.waitMs(10)).toBeGreaterThan(0);
  });

  it('counts a reservation once however often it is settled, and keeps late answers in order', () => {
    const b = new PresenceBudget(3, 1000);
    const late = b.reserve(1);
    const early = b.reserve(2);
    early.settle(100);
    late.settle(500);
    late.settle(600);
    expect(b.available(600)).toBe(0);
    expect(b.available(1100)).toBe(2); // the two answered at 100 have left
    expect(b.available(1500)).toBe(3);
  });

  it('pauses everything until a Retry-After has passed, whatever the window says', () => {
    const b = new PresenceBudget(10, 1000);
    b.pauseUntil(2500);
    expect(b.available(100)).toBe(0);
    expect(b.nextFreeInMs(100)).toBe(2400);
    expect(b.available(2500)).toBe(10);
  });

  it('lets a backlog spend all but the kept slots, and those too in the last moments before slots free anyway', () => {
    const b = new PresenceBudget(10, 1000);
    expect(b.spendable(0, 100, 2)).toBe(8);
    b.take(8, 0);
    expect(b.available(500)).toBe(2);
    expect(b.spendable(500, 100, 2)).toBe(0);
    expect(b.nextSpendableInMs(500, 100, 2)).toBe(400); // at 900 the 8 leave within the horizon
    expect(b.spendable(900, 100, 2)).toBe(2);
    b.take(2, 900);
    // The next window keeps two slots again while the two spent early still count: the backlog's price is 2 per window.
    expect(b.available(1000)).toBe(8);
    expect(b.spendable(1000, 100, 2)).toBe(6);
  });
});
