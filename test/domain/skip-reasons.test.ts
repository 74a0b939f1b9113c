import { decide } from '../../src/domain/decide.js';
import type { DecideInput, SkipReason } from '../../src/domain/effects.js';
import { SKIP_REASONS } from '../../src/domain/effects.js';
import { CODES, P, T0, acd, acdEvent, agentState, rule, teamsEvent, tick, withAcd, withTeams } from './builders.js';

/** One scenario per skip reason: the catalogue the Log Reader and Health Check group by is reachable and explained. */
const base = { now: T0, syncEnabled: true } as const;
const pub = { presence: P.inACall, at: T0 - 900, ruleId: 'rule-1', preferred: false } as const;
const held = {
  phase: 'requested',
  target: { kind: 'Unavailable', codeId: CODES.meeting.id },
  replaced: { kind: 'Available' },
  over: { kind: 'Available' },
  at: T0 - 900,
  ruleId: 'rule-1',
} as const;

const SCENARIOS: Record<SkipReason, DecideInput> = {
  NO_RULE: { ...base, rule: null, agent: agentState(), event: acdEvent(acd.available()) },
  RULE_DISABLED: { ...base, rule: rule({ enabled: false }), agent: agentState(), event: acdEvent(acd.available()) },
  SYNC_PAUSED: { ...base, syncEnabled: false, rule: rule(), agent: agentState(), event: acdEvent(acd.available()) },
  DIRECTION_NOT_COVERED: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: agentState(),
    event: acdEvent(acd.contact()),
  },
  NO_MAPPING: { ...base, rule: rule(), agent: agentState(), event: acdEvent(acd.available()) },
  NOT_VOICE: { ...base, rule: rule(), agent: agentState(), event: acdEvent(acd.contact('InboundContact', 'digital')) },
  NO_SYNC_STATE: {
    ...base,
    rule: rule({ noSyncStates: [{ kind: 'AfterCallWork' }] }),
    agent: agentState(),
    event: acdEvent(acd.acw()),
  },
  STALE_EVENT: { ...base, rule: rule(), agent: withAcd(acd.available()), event: acdEvent(acd.contact(), T0 - 5000) },
  DUPLICATE_EVENT: {
    ...base,
    rule: rule(),
    agent: withAcd(acd.available()),
    event: acdEvent(acd.available(), T0, 'acd-prev'),
  },
  ECHO: {
    ...base,
    rule: rule({ direction: 'bidirectional' }),
    agent: withAcd(acd.contact(), { published: pub }),
    event: teamsEvent(P.inACall),
  },
  ALREADY_IN_STATE: {
    ...base,
    rule: rule(),
    agent: withAcd(acd.contact(), { published: pub }),
    event: acdEvent(acd.contact('OutboundContact')),
  },
  ACD_WINS_ON_CONTACT: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: withAcd(acd.contact()),
    event: teamsEvent(P.meeting),
  },
  AGENT_LOGGED_OUT: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: withAcd(acd.loggedOut()),
    event: teamsEvent(P.meeting),
  },
  MANUAL_STATUS_RESPECTED: {
    ...base,
    rule: rule(),
    agent: withAcd(acd.available(), { teams: withTeams(P.dnd) }),
    event: acdEvent(acd.contact()),
  },
  DEBOUNCED: { ...base, rule: rule({ debounceMs: 1000 }), agent: agentState(), event: tick(T0) },
  NOT_LINKED: {
    ...base,
    rule: rule(),
    agent: withAcd(acd.available(), { teamsUserId: undefined }),
    event: acdEvent(acd.contact()),
  },
  NOTHING_TO_RESTORE: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: withAcd(acd.unavailable(CODES.lunch)),
    event: teamsEvent(P.available),
  },
  AGENT_CHANGED_STATE: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: withAcd(acd.unavailable(CODES.lunch), { acdWritten: held }),
    event: teamsEvent(P.available),
  },
  STATE_NOT_RESTORABLE: {
    ...base,
    rule: rule({ direction: 'subscriber' }),
    agent: withAcd(acd.loggedIn()),
    event: teamsEvent(P.meeting),
  },
};

describe('skip reasons', () => {
  it.each(SKIP_REASONS.map((r) => [r]))('%s is reachable and says why in words', (reason) => {
    const [effect, ...rest] = decide(SCENARIOS[reason]).effects;
    expect(rest).toEqual([]);
    expect(effect).toEqual({ kind: 'skip', reason, detail: expect.stringMatching(/\S+ \S+ \S+/) });
  });
});
