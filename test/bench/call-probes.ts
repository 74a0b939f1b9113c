/**
 * Single calls as probes, shared by the benches that time CXone → Teams one change at a time
 * (sandbox-latency's end-to-end delay, graph-budget's probes behind a backlog): each agent in turn,
 * once it shows no call, takes one customer call in the CXone emulator, timed until the Graph
 * emulator shows it on a call.
 */
import { performance } from 'node:perf_hooks';
import { sleep, waitUntil } from './bench-kit.js';

export interface CallProbeLane {
  /** Starts a customer call for the agent (CXone emulator's control API); resolves to its contact id. */
  call(agent: string): Promise<number>;
  /** Whether Teams (the Graph emulator) shows the agent on a call. */
  onACall(agent: string): boolean;
  /** Ends the call once timed, so the agent can probe again; without it the call is left running. */
  end?(contactId: number): Promise<void>;
}

export interface CallProbeTiming {
  /** How long to wait, once agent `i` shows no call, before starting its call (the phase of the probe). */
  readonly delayMs: (i: number) => number;
  /** Give up on an agent still on a call, or on a call Teams does not show, after this long. */
  readonly idleTimeoutMs: number;
  readonly shownTimeoutMs: number;
  /** How often Teams is looked at (the timing's resolution). */
  readonly everyMs: number;
}

/** One sample (ms) per call Teams showed in time, in agent order; a call not shown leaves no sample. */
export async function probeCalls(
  lane: CallProbeLane,
  agents: readonly string[],
  t: CallProbeTiming,
): Promise<number[]> {
  const out: number[] = [];
  for (const [i, agent] of agents.entries()) {
    await waitUntil(() => !lane.onACall(agent), t.idleTimeoutMs, t.everyMs);
    await sleep(Math.max(0, t.delayMs(i)));
    const t0 = performance.now();
    const contact = await lane.call(agent);
    const shown = await waitUntil(() => lane.onACall(agent), t.shownTimeoutMs, t.everyMs);
    if (shown) out.push(performance.now() - t0);
    await lane.end?.(contact);
  }
  return out;
}
