import { SandboxClock } from '../../../src/sandbox/sandbox-clock.js';

describe('SandboxClock (reference §9.6 clock control)', () => {
  it('stands still until advanced when driven by hand', () => {
    const clock = new SandboxClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('follows real time plus any advance when asked to', () => {
    let real = 50;
    const clock = new SandboxClock(1_000, true, () => real);
    real += 40;
    clock.advance(10);
    expect(clock.now()).toBe(1_050);
  });

  it('never goes backwards (CXone timestamps stay monotonic)', () => {
    const clock = new SandboxClock(1_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.set(500);
    expect(clock.now()).toBe(1_000);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
  });
});
