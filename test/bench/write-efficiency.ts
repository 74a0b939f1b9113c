/**
 * Graph writes per ACD state change under a realistic workload: agents take calls, do after-call
 * work, go to lunch, and the ACD re-reports unchanged states (poll repeats, LoggedIn/Available
 * both mapping to nothing). Counts the presence writes the engine asks for per real ACD change
 * (no-op suppression in decide); the writer's coalescing under backlog is in state-storm.
 */
import type { AcdState } from '../../src/domain/agent-state.js';
import { acd, CODES } from '../domain/builders.js';
import { round, type Bench, type BenchOptions, type BenchResult } from './bench-kit.js';
import { createEngineRig } from './engine-rig.js';

/** One agent's shift, in order; repeats are the ACD re-reporting a state it already had. */
const SHIFT: readonly AcdState[] = [
  acd.loggedIn(),
  acd.available(),
  acd.available(),
  acd.contact(),
  acd.contact(),
  acd.acw(),
  acd.available(),
  acd.contact('OutboundContact'),
  acd.acw(),
  acd.acw(),
  acd.available(),
  acd.unavailable(CODES.lunch),
  acd.unavailable(CODES.lunch),
  acd.available(),
  acd.contact(),
  acd.contact('InboundConsult'),
  acd.contact(),
  acd.acw(),
  acd.available(),
  acd.unavailable(CODES.training),
  acd.available(),
  acd.loggedOut(),
];

/** What the publisher rule asks Teams to show (null = clear); mirrors the builders' PUBLISHER_MAPPINGS. */
function shown(s: AcdState): string | null {
  if (s.contact && !s.afterCallWork) return 'Busy/InACall';
  if (s.name === 'Unavailable' && s.unavailableCode?.id === CODES.lunch.id) return 'Away/Away';
  if (s.name === 'Unavailable' && s.unavailableCode?.id === CODES.training.id) return 'DoNotDisturb/Presenting';
  return null;
}

/** The fewest writes any implementation needs: one per change of the shown presence. */
function minimumWrites(agents: number): number {
  let n = 0;
  for (let i = 0; i < agents; i += 1) {
    let last: string | null = null;
    for (let step = 0; step < SHIFT.length; step += 1) {
      const now = shown(SHIFT[(step + (i % 3)) % SHIFT.length] as AcdState);
      if (now !== last) n += 1;
      last = now;
    }
  }
  return n;
}

const key = (s: AcdState): string =>
  JSON.stringify([s.name, s.afterCallWork, s.unavailableCode?.id, s.contact?.media, s.contact?.counterpart]);

export const writeEfficiency: Bench = {
  name: 'write-efficiency',
  title: 'Graph writes per ACD state change (realistic shift, no-op suppression)',
  async run(o: BenchOptions): Promise<BenchResult> {
    const agents = o.quick ? 200 : 2000;
    const rig = await createEngineRig(agents, 'memory');
    try {
      let events = 0;
      let changes = 0;
      for (const [step, state] of SHIFT.entries()) {
        // Agents are staggered by a step so that each round mixes states, as in a real floor.
        const batch = rig.agentIds.map((a, i) => rig.event(a, SHIFT[(step + (i % 3)) % SHIFT.length] as AcdState));
        events += batch.length;
        changes += rig.agentIds.filter(
          (_, i) =>
            step === 0 ||
            key(SHIFT[(step + (i % 3)) % SHIFT.length] as AcdState) !==
              key(SHIFT[(step - 1 + (i % 3)) % SHIFT.length] as AcdState),
        ).length;
        await rig.send(batch);
        await rig.drain(0);
        o.log(`write-efficiency: step ${step + 1}/${SHIFT.length} (${state.name})`);
      }
      const writes = rig.writes.length;
      const perChange = round(writes / changes, 3);
      const minimum = minimumWrites(agents);
      return {
        rows: [
          {
            agents,
            acd_events: events,
            acd_state_changes: changes,
            repeats: events - changes,
            graph_writes: writes,
            minimum_writes: minimum,
            writes_over_minimum: round(writes / minimum, 3),
            writes_per_change: perChange,
            writes_per_event: round(writes / events, 3),
          },
        ],
        targets: [
          {
            target: 'at most one Graph write per ACD change',
            measured: `${perChange} writes per change`,
            met: perChange <= 1,
          },
          {
            target: 'no write beyond a change of the shown presence (repeats and same-presence states suppressed)',
            measured: `${writes} writes, minimum ${minimum}`,
            met: writes <= minimum,
          },
        ],
        real: ['SyncEngine with the shipped decide/resolveRule'],
        simulated: [
          'store (in-memory)',
          'Graph (in-memory FakeGraph)',
          'time (no clock: keep-alives are not exercised)',
        ],
        method:
          'Real SyncEngine with the shipped decide/resolveRule, publisher rule (calls → Busy/InACall, Lunch → Away, Training → Presenting), in-memory store, FakeGraph; each agent runs a 22-step shift with repeats, agents offset by 0–2 steps.',
      };
    } finally {
      await rig.close();
    }
  },
};
