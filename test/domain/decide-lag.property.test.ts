import fc from 'fast-check';
import { isOnContact } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import type { Effect, SyncEvent } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { PresenceRule } from '../../src/domain/presence-rule.js';
import type { AcdTarget } from '../../src/domain/sync-state.js';
import { CODES, P, acd, map, rule } from './builders.js';
import { acdChanged, applyEffect, newWorld, teamsChanged } from './sync-model.js';
import type { World } from './sync-model.js';

/**
 * The soak's race as a property: the ACD reports a voice call late (poll lag), so decide may write
 * a code while the agent is already on the call, and CXone, like the real one, keeps a state
 * requested during a call and applies it when the call ends. Whatever the interleaving, once the
 * call is over and Teams is back to Available, the agent must be routable again: no code of ours
 * may outlive what Teams asked for. Subscriber and bidirectional rules: with the latter our own
 * session also shows the call, and its end or the end of the ACW publishes while we write.
 */
const TEAMS_CALL = { id: '110', name: 'Teams Call' } as const;

interface LagWorld {
  readonly w: World;
  /** A state written while CXone had the agent on a call: applied when the call ends. */
  requested: AcdTarget | null;
  /** ACD events CXone has produced but the poll has not delivered yet. */
  late: SyncEvent[];
}

type Action =
  | { kind: 'callStarts' }
  | { kind: 'callEnds'; acw: boolean }
  | { kind: 'client'; presence: TeamsPresence | null }
  | { kind: 'poll' }
  | { kind: 'wait'; ms: number };

const actions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant<Action>({ kind: 'callStarts' }) },
    { weight: 2, arbitrary: fc.boolean().map((acw): Action => ({ kind: 'callEnds', acw })) },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(P.available, P.inACall, P.meeting, P.presenting, P.away, null)
        .map((presence): Action => ({ kind: 'client', presence })),
    },
    { weight: 3, arbitrary: fc.constant<Action>({ kind: 'poll' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((ms): Action => ({ kind: 'wait', ms })) },
  ),
  { maxLength: 20 },
);

const rules: fc.Arbitrary<PresenceRule> = fc
  .record({
    direction: fc.constantFrom('subscriber' as const, 'bidirectional' as const),
    debounceMs: fc.constantFrom(0, 0, 2000),
  })
  .map(({ direction, debounceMs }) =>
    rule({
      direction,
      debounceMs,
      mappings: [...rule({ direction }).mappings, map({ kind: 'Unavailable', codeId: TEAMS_CALL.id }, P.inACall)],
    }),
  );

const onCall = (lw: LagWorld): boolean => isOnContact(lw.w.acd) || lw.w.acd.afterCallWork;

function stateOf(target: AcdTarget) {
  if (target.kind === 'Available') return acd.available();
  const code = [...Object.values(CODES), TEAMS_CALL].find((c) => c.id === target.codeId) ?? {
    id: target.codeId,
    name: target.codeId,
  };
  return acd.unavailable(code);
}

/**
 * Apply one effect to the lagging world; the event it causes, if any. Only the ACD write differs
 * from the shared model: during a call CXone keeps it and applies it when the call ends.
 */
function apply(lw: LagWorld, e: Effect): SyncEvent | null {
  if (e.kind !== 'setAcdState') return applyEffect(lw.w, e);
  if (onCall(lw)) {
    lw.requested = e.target;
    return null;
  }
  const next = stateOf(e.target);
  return JSON.stringify(next) === JSON.stringify(lw.w.acd) ? null : acdChanged(lw.w, next);
}

function settle(lw: LagWorld, r: PresenceRule, first: readonly SyncEvent[]): number {
  const queue = [...first];
  let decisions = 0;
  while (queue.length > 0 && decisions < 40) {
    const event = queue.shift()!;
    const d = decide({ rule: r, agent: lw.w.agent, event, now: lw.w.clock, syncEnabled: true });
    decisions += 1;
    lw.w.clock += 1;
    lw.w.agent = d.next;
    for (const e of d.effects) {
      const echo = apply(lw, e);
      if (echo) queue.push(echo);
    }
  }
  return queue.length > 0 ? Infinity : decisions;
}

/** What an action makes the engine see: each inner list settles (echoes included) before the next one. */
function act(lw: LagWorld, a: Action): SyncEvent[][] {
  const w = lw.w;
  switch (a.kind) {
    case 'callStarts':
      if (onCall(lw) || w.acd.name !== 'Available') return [];
      lw.late.push(acdChanged(w, acd.contact()));
      return [];
    case 'callEnds': {
      if (!onCall(lw)) return [];
      const polled = lw.late.splice(0).map((e) => [e]);
      if (a.acw && !w.acd.afterCallWork) return [...polled, [acdChanged(w, acd.acw())]];
      const landing = lw.requested ? stateOf(lw.requested) : acd.available();
      lw.requested = null;
      return [...polled, [acdChanged(w, landing)]];
    }
    case 'client': {
      w.client = a.presence;
      const e = teamsChanged(w);
      return e ? [[e]] : [];
    }
    case 'poll':
      return lw.late.splice(0).map((e) => [e]);
    case 'wait': {
      w.clock += a.ms;
      if (w.dueAt === null || w.clock < w.dueAt) return [];
      w.dueAt = null;
      return [
        [{ source: 'tick', tenantId: 't', agentId: w.agent.agentId, sourceTime: w.clock, eventId: `tick-${w.clock}` }],
      ];
    }
  }
}

describe('decide with a lagging ACD that applies requested states at call end (property-based)', () => {
  it('once the call is over and Teams is back to Available, the agent is Available again', () => {
    fc.assert(
      fc.property(rules, actions, (r, script) => {
        const lw: LagWorld = { w: newWorld(acd.available(), P.available), requested: null, late: [] };
        settle(lw, r, [acdChanged(lw.w, acd.available())]);
        // Two waits: a release the first debounce tick brings on waits out its own debounce.
        const closing: Action[] = [
          { kind: 'callEnds', acw: false },
          { kind: 'client', presence: P.available },
          { kind: 'poll' },
          { kind: 'wait', ms: 1e7 },
          { kind: 'wait', ms: 1e7 },
        ];
        for (const a of [...script, ...closing])
          for (const batch of act(lw, a)) expect(settle(lw, r, batch)).toBeLessThanOrEqual(12);
        expect(lw.w.acd).toEqual(acd.available());
      }),
      { numRuns: 1000 },
    );
  });
});
