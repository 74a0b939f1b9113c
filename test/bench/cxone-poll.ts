/**
 * CXone poll delay and polling cost: runs cxone-poll-delay.ts (a standalone script over real
 * HTTPS against the CXone emulator, 2,000 agents, 1 s poll) in a child process and tabulates it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Bench, BenchOptions, BenchResult } from './bench-kit.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./cxone-poll-delay.ts', import.meta.url));

interface PollReport {
  agents: number;
  snapshot: { ms: number; agentStatesRequests: number };
  delayMs: { samples: number; lost: number; p50: number; p90: number; p99: number; max: number };
  requestsPerMinute: { idle: number; busyTotal: number };
}

export const cxonePoll: Bench = {
  name: 'cxone-poll',
  title: 'CXone: state change in the ACD → event in the engine (1 s poll), polling cost',
  async run(o: BenchOptions): Promise<BenchResult> {
    const seconds = o.quick ? 5 : 15;
    o.log(`cxone-poll: 3 phases of ${seconds} s`);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...process.env, BENCH_SECONDS: String(seconds) },
      timeout: 300_000,
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout.slice(stdout.indexOf('{'))) as PollReport;
    return {
      rows: [
        {
          agents: r.agents,
          snapshot_ms: r.snapshot.ms,
          delay_samples: r.delayMs.samples,
          lost: r.delayMs.lost,
          delay_p50_ms: r.delayMs.p50,
          delay_p90_ms: r.delayMs.p90,
          delay_p99_ms: r.delayMs.p99,
          delay_max_ms: r.delayMs.max,
          requests_per_min_idle: r.requestsPerMinute.idle,
          requests_per_min_busy: r.requestsPerMinute.busyTotal,
        },
      ],
      targets: [
        {
          target: 'no lost change; delay bounded by the 1 s poll (p99 ≤ ~1.5 s)',
          measured: `lost ${r.delayMs.lost}, p99 ${r.delayMs.p99} ms`,
          met: r.delayMs.lost === 0 && r.delayMs.p99 <= 1500,
        },
      ],
      real: ['CXone adapter (feed, auth)', 'HTTPS'],
      simulated: ['CXone (emulator, 2,000 agents)', 'agent state changes (scripted)'],
      method:
        'Real CXone adapter (feed, auth) over HTTPS to the CXone emulator with 2,000 agents; single changes at random moments, then idle and busy (~50 changes/s) phases for the request rate.',
    };
  },
};
