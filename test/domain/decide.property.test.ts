import fc from 'fast-check';
import type { AcdState } from '../../src/domain/agent-state.js';
import { isOnContact } from '../../src/domain/agent-state.js';
import { decide } from '../../src/domain/decide.js';
import {
  matchesAnyPattern,
  publisherPresenceFor,
  publishes,
  stateIsTarget,
  subscriberTargetFor,
} from '../../src/domain/match.js';
import type { SyncEvent } from '../../src/domain/effects.js';
import type { TeamsPresence } from '../../src/domain/presence.js';
import type { PresenceRule } from '../../src/domain/presence-rule.js';
import { CODES, P, T0, acd, acdEvent, agentState, rule, teamsEvent } from './builders.js';
import { acdChanged, newWorld, settle, teamsChanged } from './sync-model.js';
import type { World } from './sync-model.js';

/**
 * Properties over any interleaving of ACD and Teams changes, with every write's echo fed back
 * through decide by the model in sync-model.ts.
 */
const COUNTERPARTS = ['customer', 'agent', 'skill'] as const;
const CONTACTS = ['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer'] as const;

const acdStates: fc.Arbitrary<AcdState> = fc.oneof(
  fc.constantFrom(
    acd.available(),
    acd.unavailable(CODES.lunch),
    acd.unavailable(CODES.meeting),
    acd.unavailable(CODES.dnd),
    acd.unavailable(CODES.training),
    acd.unavailableNoCode(),
    acd.acw(),
    acd.loggedIn(),
    acd.loggedOut(),
  ),
  fc
    .tuple(
      fc.constantFrom(...CONTACTS),
      fc.constantFrom('voice' as const, 'digital' as const),
      fc.constantFrom(...COUNTERPARTS),
    )
    .map(([n, m, c]) => acd.contact(n, m, c)),
);
const clientPresence: fc.Arbitrary<TeamsPresence | null> = fc.constantFrom(
  P.available,
  P.away,
  P.meeting,
  P.inACall,
  P.presenting,
  null,
);
const manualPresence: fc.Arbitrary<TeamsPresence | null> = fc.constantFrom(P.dnd, P.busy, P.brb, P.available, null);

type Action =
  | { kind: 'acd'; state: AcdState }
  | { kind: 'client'; presence: TeamsPresence | null }
  | { kind: 'manual'; presence: TeamsPresence | null }
  | { kind: 'wait'; ms: number }
  | { kind: 'replay'; index: number };

const actions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: acdStates.map((state): Action => ({ kind: 'acd', state })) },
    { weight: 3, arbitrary: clientPresence.map((presence): Action => ({ kind: 'client', presence })) },
    { weight: 2, arbitrary: manualPresence.map((presence): Action => ({ kind: 'manual', presence })) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 5000 }).map((ms): Action => ({ kind: 'wait', ms })) },
    { weight: 2, arbitrary: fc.nat().map((index): Action => ({ kind: 'replay', index })) },
  ),
  { maxLength: 30 },
);

const rules: fc.Arbitrary<PresenceRule> = fc
  .record({
    direction: fc.constantFrom('bidirectional' as const, 'publisher' as const, 'subscriber' as const),
    manualStatusPolicy: fc.constantFrom('respect' as const, 'override' as const),
    debounceMs: fc.constantFrom(0, 0, 2000),
    training: fc.boolean(),
  })
  .map(({ training, ...r }) =>
    rule({ ...r, noSyncStates: training ? [{ kind: 'Unavailable', codeId: CODES.training.id }] : [] }),
  );

/** Run one action; return the first event it produced (before echoes) and remember delivered events. */
function trigger(w: World, a: Action, history: SyncEvent[]): SyncEvent | null {
  switch (a.kind) {
    // Re-selecting the very state the ACD already shows is no change the sync could tell apart from ours.
    case 'acd':
      w.agentChose ||= JSON.stringify(a.state) !== JSON.stringify(w.acd);
      return acdChanged(w, a.state);
    case 'client':
      w.client = a.presence;
      return teamsChanged(w);
    case 'manual':
      w.preferred = a.presence;
      return teamsChanged(w);
    case 'wait': {
      w.clock += a.ms;
      if (w.dueAt === null || w.clock < w.dueAt) return null;
      w.dueAt = null;
      return {
        source: 'tick',
        tenantId: 't',
        agentId: w.agent.agentId,
        sourceTime: w.clock,
        eventId: `tick-${w.clock}`,
      };
    }
    case 'replay':
      return history.length === 0 ? null : history[a.index % history.length]!;
  }
}

const seen = (w: World, history: SyncEvent[]): void => {
  if (w.lastEvent && w.lastEvent.source !== 'tick' && !history.includes(w.lastEvent)) history.push(w.lastEvent);
};

describe('decide, for any interleaving of events (property-based)', () => {
  it('settles every change within a few decisions, with bounded effects: no ping-pong', () => {
    fc.assert(
      fc.property(rules, acdStates, clientPresence, actions, (r, start, client, script) => {
        const w = newWorld(start, client);
        const history: SyncEvent[] = [];
        for (const a of script) {
          const s = settle(w, r, trigger(w, a, history));
          seen(w, history);
          expect(s.decisions).toBeLessThanOrEqual(8);
          expect(s.maxEffectsPerDecision).toBeLessThanOrEqual(3);
          expect(s.writes).toBeLessThanOrEqual(6);
          expect(s.repeatedWrites).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replayed (stale or duplicate) events never write anything, and the newest state of each side is what is recorded', () => {
    fc.assert(
      fc.property(rules, acdStates, clientPresence, actions, (r, start, client, script) => {
        const w = newWorld(start, client);
        const history: SyncEvent[] = [];
        let acdSeen = false,
          teamsSeen = false;
        for (const a of script) {
          const s = settle(w, r, trigger(w, a, history));
          seen(w, history);
          if (a.kind === 'replay') expect(s.writes).toBe(0);
          acdSeen ||= w.agent.acd !== undefined;
          teamsSeen ||= w.agent.teams !== undefined;
          if (acdSeen) expect(w.agent.acd?.state).toEqual(w.acd);
          if (teamsSeen) expect(w.agent.teams?.presence).toEqual(w.shown);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('digital contacts never produce a Teams effect, whatever was known before', () => {
    const digital = fc
      .tuple(fc.constantFrom(...CONTACTS), fc.constantFrom(...COUNTERPARTS))
      .map(([n, c]) => acd.contact(n, 'digital', c));
    fc.assert(
      fc.property(rules, actions, acdStates, clientPresence, digital, (r, script, start, client, state) => {
        const w = newWorld(start, client);
        const history: SyncEvent[] = [];
        for (const a of script) {
          settle(w, r, trigger(w, a, history));
          seen(w, history);
        }
        const d = decide({
          rule: r,
          agent: w.agent,
          event: acdEvent(state, w.clock + 1),
          now: w.clock + 1,
          syncEnabled: true,
        });
        expect(d.effects.filter((e) => e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence')).toEqual([]);
        const tick = decide({
          rule: r,
          agent: d.next,
          event: { source: 'tick', tenantId: 't', agentId: 'agent-1', sourceTime: w.clock + 1e6, eventId: 'tick-x' },
          now: w.clock + 1e6,
          syncEnabled: true,
        });
        expect(tick.effects.filter((e) => e.kind === 'setTeamsPresence' || e.kind === 'clearTeamsPresence')).toEqual(
          [],
        );
      }),
      { numRuns: 300 },
    );
  });

  it('once quiet, our Teams session shows what the rule wants for the ACD state (unless a documented exception holds)', () => {
    fc.assert(
      fc.property(rules, acdStates, clientPresence, actions, acdStates, (r, start, client, script, last) => {
        const w = newWorld(start, client);
        const history: SyncEvent[] = [];
        for (const a of [...script, { kind: 'acd', state: last } as Action, { kind: 'wait', ms: 1e7 } as Action]) {
          settle(w, r, trigger(w, a, history));
          seen(w, history);
        }
        const state = w.agent.acd?.state;
        if (!publishes(r) || state === undefined) return;
        const held = w.agent.acdWritten;
        const exempt =
          (isOnContact(state) && state.contact?.media !== 'voice') || // voice only: the last voice presence may stay
          matchesAnyPattern(state, r.noSyncStates) || // no-sync: left as it was
          (held !== undefined && stateIsTarget(state, held.target)) || // our own subscriber write is not published back
          (w.preferred !== null && w.agent.published?.preferred !== true && r.manualStatusPolicy === 'respect'); // hand-set status respected
        if (exempt) return;
        expect(w.ours).toEqual(state.name === 'LoggedOut' ? null : publisherPresenceFor(r, state));
      }),
      { numRuns: 300 },
    );
  });

  it('Teams going back never overrides an ACD state the agent chose themselves (only our own writes are undone)', () => {
    fc.assert(
      fc.property(rules, acdStates, clientPresence, actions, (r, start, client, script) => {
        const w = newWorld(start, client);
        const history: SyncEvent[] = [];
        let violations = 0;
        const observe = (event: SyncEvent, effects: readonly { kind: string }[], before: Readonly<World>): void => {
          const presence =
            event.source === 'teams'
              ? event.presence
              : event.source === 'tick'
                ? before.agent.teams?.presence
                : undefined;
          if (presence === undefined || !before.agentChose) return;
          const target = subscriberTargetFor(r, presence);
          const goingBack = target === null || target.kind === 'Available';
          if (goingBack && effects.some((e) => e.kind === 'setAcdState')) violations += 1;
        };
        for (const a of script) {
          settle(w, r, trigger(w, a, history), observe);
          seen(w, history);
        }
        expect(violations).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('whatever order ACD events arrive in, the newest one (by source time) is the one recorded', () => {
    const times = fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        rules,
        times.chain((ts) =>
          fc.tuple(
            fc.constant(ts),
            fc.shuffledSubarray(ts, { minLength: ts.length }),
            fc.array(acdStates, { minLength: ts.length, maxLength: ts.length }),
          ),
        ),
        (r, [ts, order, states]) => {
          const byTime = new Map(ts.map((t, i) => [t, states[i]!]));
          let agent = agentState();
          for (const t of order)
            agent = decide({
              rule: r,
              agent,
              event: acdEvent(byTime.get(t)!, T0 + t, `e-${t}`),
              now: T0 + 2_000_000,
              syncEnabled: true,
            }).next;
          const newest = Math.max(...ts);
          expect(agent.acd).toEqual({ state: byTime.get(newest), sourceTime: T0 + newest, eventId: `e-${newest}` });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('whatever order Teams notifications arrive in, the highest sequence number is the one recorded', () => {
    const seqs = fc.uniqueArray(fc.integer({ min: 0, max: 99_999 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        rules,
        seqs.chain((ss) =>
          fc.tuple(
            fc.constant(ss),
            fc.shuffledSubarray(ss, { minLength: ss.length }),
            fc.array(
              clientPresence.map((p) => p ?? P.offline),
              { minLength: ss.length, maxLength: ss.length },
            ),
          ),
        ),
        (r, [ss, order, ps]) => {
          const byNo = new Map(ss.map((n, i) => [n, ps[i]!]));
          let agent = agentState();
          for (const [i, n] of order.entries()) {
            const event = teamsEvent(byNo.get(n)!, T0 + i, {
              sequenceNumber: `A${String(n).padStart(6, '0')}`,
              eventId: `t-${n}`,
            });
            agent = decide({ rule: r, agent, event, now: T0 + i, syncEnabled: true }).next;
          }
          const newest = Math.max(...ss);
          expect(agent.teams?.presence).toEqual(byNo.get(newest));
          expect(agent.teams?.sequenceNumber).toBe(`A${String(newest).padStart(6, '0')}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
