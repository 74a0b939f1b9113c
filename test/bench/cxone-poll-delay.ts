/**
 * Measures, over real HTTPS against the CXone emulator with 2,000 agents and the default 1 s poll:
 *  1. the delay from a state change in the emulator to the domain event reaching the sink;
 *  2. the polling cost in requests/min, idle and under a busy workload.
 * Run: `npx tsx test/bench/cxone-poll-delay.ts` (BENCH_SECONDS=30 per phase by default).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../src/application/ports.js';
import type { AcdStateEvent } from '../../src/domain/agent-state.js';
import { createCxoneAcd } from '../../src/adapters/cxone/cxone-acd.js';
import { startCxoneEmulator } from '../../src/sandbox/cxone/cxone-emulator.js';
import { agentChoosesState, endContact, startCustomerContact } from '../../src/sandbox/cxone/cxone-scenarios.js';
import { FIRST_AGENT_ID, FIRST_CODE_ID, FIRST_SKILL_ID, seededRandom } from '../../src/sandbox/cxone/cxone-seed.js';
import { SandboxClock } from '../../src/sandbox/sandbox-clock.js';

const AGENTS = 2000;
const PHASE_MS = Number(process.env.BENCH_SECONDS ?? 30) * 1000;
const PAGE_SIZE = 500;
const silent: Logger = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const rnd = seededRandom(7);
const pick = (): number => FIRST_AGENT_ID + Math.floor(rnd() * AGENTS);

const clock = new SandboxClock(Date.now(), true);
const emu = await startCxoneEmulator({ clock, seed: { teams: 20, agents: AGENTS, initialState: 'Available' } });
const acd = createCxoneAcd(
  {
    issuerUrl: emu.url,
    ...emu.credentials,
    tenantId: 'bench',
    extraCaPem: emu.caCertPem,
    feed: { pageSize: PAGE_SIZE },
  },
  { clock, logger: silent },
);
const pending = new Map<string, number>();
const delays: number[] = [];
const deliver = async (events: readonly AcdStateEvent[]): Promise<void> => {
  const now = performance.now();
  for (const e of events) {
    const key = `${e.agentId}:${e.sourceTime}`;
    const t = pending.get(key);
    if (t !== undefined) delays.push(now - t);
    pending.delete(key);
  }
};

const t0 = performance.now();
await acd.feed.start(deliver);
const snapshotMs = performance.now() - t0;
const snapshotRequests = emu.stats.get('GET /agents/states') ?? 0;

// Phase 1: change one agent at random moments (not aligned with the poll) and time each event.
const until1 = performance.now() + PHASE_MS;
let toggle = 0;
while (performance.now() < until1) {
  await sleep(150 + rnd() * 600);
  const agentId = pick();
  const st = emu.model.stateOf(agentId);
  if (st.state !== 'Available' && st.state !== 'Unavailable') continue;
  agentChoosesState(emu.model, agentId, toggle++ % 2 ? 'Available' : 'Unavailable', toggle % 2 ? FIRST_CODE_ID + 2 : 0);
  pending.set(`${agentId}:${emu.model.stateOf(agentId).lastUpdateTime}`, performance.now());
}
await sleep(2500);

const perMinute = (requests: number, ms: number): number => Math.round((requests / ms) * 60_000);
const count = (): number =>
  [...emu.stats.entries()]
    .filter(([k]) => k.startsWith('GET /agents/states') || k.startsWith('GET /contacts') || k.startsWith('GET /skills'))
    .reduce((n, [, v]) => n + v, 0);

// Phase 2: idle polling cost.
emu.stats.clear();
const idleStart = performance.now();
await sleep(PHASE_MS);
const idle = perMinute(count(), performance.now() - idleStart);

// Phase 3: busy — every 100 ms, 3 agents change state and 2 calls start or end (≈ 50 changes/s).
emu.stats.clear();
const busyStart = performance.now();
const calls: number[] = [];
while (performance.now() - busyStart < PHASE_MS) {
  await sleep(100);
  for (let i = 0; i < 3; i += 1) {
    const a = pick();
    const s = emu.model.stateOf(a).state;
    if (s === 'Available' || s === 'Unavailable')
      agentChoosesState(
        emu.model,
        a,
        s === 'Available' ? 'Unavailable' : 'Available',
        s === 'Available' ? FIRST_CODE_ID + 3 : 0,
      );
  }
  for (let i = 0; i < 2; i += 1) {
    const a = pick();
    const s = emu.model.stateOf(a).state;
    if (s === 'Available' && rnd() < 0.6)
      calls.push(
        startCustomerContact(emu.model, { agentId: a, skillId: FIRST_SKILL_ID + 1, direction: 'inbound' }).contactId,
      );
    else if (calls.length) endContact(emu.model, calls.splice(Math.floor(rnd() * calls.length), 1)[0]!);
  }
}
const busyMs = performance.now() - busyStart;
const busy = Object.fromEntries(
  [...emu.stats.entries()].filter(([k]) => k.startsWith('GET')).map(([k, v]) => [k, perMinute(v, busyMs)]),
);

await acd.close();
await emu.close();

const sorted = [...delays].sort((a, b) => a - b);
const q = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);
const report = {
  agents: AGENTS,
  pollIntervalMs: 1000,
  pageSize: PAGE_SIZE,
  snapshot: { ms: Math.round(snapshotMs), agentStatesRequests: snapshotRequests },
  delayMs: {
    samples: sorted.length,
    lost: pending.size,
    min: q(0),
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: q(1),
    mean: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  },
  requestsPerMinute: { idle, busyByRoute: busy, busyTotal: Object.values(busy).reduce((a, b) => a + b, 0) },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
