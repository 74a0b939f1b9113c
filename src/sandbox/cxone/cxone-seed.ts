import { AVAILABLE_OUT_STATE, type CxoneModel } from './cxone-model.js';
import type { EmuCode, EmuSkill } from './cxone-model-types.js';

/** How big a business unit to generate. Same options + seed ⇒ same directory, byte for byte. */
export interface CxoneSeedOptions {
  readonly teams: number;
  readonly agents: number;
  readonly seed?: number;
  /** Logged-in agents start Available; default LoggedOut. */
  readonly initialState?: 'LoggedOut' | 'Available';
}

/** mulberry32: tiny, fast, deterministic — good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FIRST = [
  'Ann',
  'Ben',
  'Chloe',
  'Dev',
  'Eva',
  'Farid',
  'Grace',
  'Hugo',
  'Ines',
  'Jon',
  'Kira',
  'Luis',
  'Mia',
  'Noah',
  'Olga',
  'Pia',
];
const LAST = [
  'Lee',
  'Moreau',
  'Okafor',
  'Patel',
  'Quinn',
  'Rossi',
  'Sato',
  'Tan',
  'Ueda',
  'Varga',
  'Weber',
  'Xu',
  'Young',
  'Zeller',
];
/** Customer codes (ids above the reserved range of reference §6). The first two are ACW codes. */
const CODES: readonly (readonly [string, boolean])[] = [
  ['After Call Work', true],
  ['Wrap Up', true],
  ['Lunch', false],
  ['Break', false],
  ['Meeting', false],
  ['Training', false],
  ['Coaching', false],
  ['Personal', false],
  ['Project', false],
  ['Teams Call', false],
];
export const FIRST_CODE_ID = 20_061;
export const FIRST_SKILL_ID = 4_100_001;
export const FIRST_AGENT_ID = 1_000_001;
export const FIRST_TEAM_ID = 77;

/** Skills covering every contact family the classifier must tell apart (reference §2.3, §3.4). */
function skills(): EmuSkill[] {
  const acw = FIRST_CODE_ID;
  return [
    {
      skillId: FIRST_SKILL_ID,
      skillName: 'Sales Inbound',
      mediaTypeId: 4,
      isOutbound: false,
      isActive: true,
      useAcw: true,
      acwCodeId: acw,
      maxSecondsACW: 30,
      acwPostTimeoutStateId: 0,
    },
    {
      skillId: FIRST_SKILL_ID + 1,
      skillName: 'Support Inbound',
      mediaTypeId: 4,
      isOutbound: false,
      isActive: true,
      useAcw: false,
      maxSecondsACW: 0,
      acwPostTimeoutStateId: 0,
    },
    {
      skillId: FIRST_SKILL_ID + 2,
      skillName: 'Sales Outbound',
      mediaTypeId: 4,
      isOutbound: true,
      isActive: true,
      useAcw: true,
      acwCodeId: acw,
      maxSecondsACW: 0,
      acwPostTimeoutStateId: 0,
    },
    {
      skillId: FIRST_SKILL_ID + 3,
      skillName: 'Chat',
      mediaTypeId: 9,
      isOutbound: false,
      isActive: true,
      useAcw: false,
      maxSecondsACW: 0,
      acwPostTimeoutStateId: 0,
    },
    {
      skillId: FIRST_SKILL_ID + 4,
      skillName: 'Email',
      mediaTypeId: 1,
      isOutbound: false,
      isActive: true,
      useAcw: false,
      maxSecondsACW: 0,
      acwPostTimeoutStateId: 0,
    },
  ];
}

function seedCodes(model: CxoneModel): EmuCode[] {
  const codes = CODES.map(([name, isAcw], i) => ({
    id: FIRST_CODE_ID + i,
    name,
    isActive: true,
    isAcw,
    agentTimeoutMins: 120,
  }));
  for (const c of codes) model.codes.set(c.id, c);
  return codes;
}

/** Fills the model with a deterministic business unit: teams, codes per team, skills, agents. */
export function seedBusinessUnit(model: CxoneModel, options: CxoneSeedOptions): void {
  const rnd = seededRandom(options.seed ?? 42);
  const codes = seedCodes(model);
  for (const s of skills()) model.skills.set(s.skillId, s);
  for (let t = 0; t < options.teams; t += 1) {
    // Every team has the ACW codes and Lunch/Break/Meeting; the rest vary so "code not on team" is testable.
    const extra = codes
      .slice(5)
      .filter(() => rnd() < 0.5)
      .map((c) => c.id);
    const teamId = FIRST_TEAM_ID + t;
    model.teams.set(teamId, {
      teamId,
      teamName: `Team ${t + 1}`,
      teamUuid: uuid(rnd),
      isActive: true,
      codeIds: [...codes.slice(0, 5).map((c) => c.id), ...extra],
    });
  }
  for (let i = 0; i < options.agents; i += 1) addSeedAgent(model, i, rnd, options);
}

function addSeedAgent(model: CxoneModel, i: number, rnd: () => number, options: CxoneSeedOptions): void {
  const agentId = FIRST_AGENT_ID + i;
  const firstName = FIRST[Math.floor(rnd() * FIRST.length)]!;
  const lastName = LAST[Math.floor(rnd() * LAST.length)]!;
  const upn = `${firstName}.${lastName}.${i + 1}@contoso.example`.toLowerCase();
  model.agents.set(agentId, {
    agentId,
    userId: uuid(rnd),
    firstName,
    lastName,
    userName: upn,
    emailAddress: upn,
    federatedId: upn,
    teamId: FIRST_TEAM_ID + (i % Math.max(1, options.teams)),
    isActive: true,
    stationId: 5000 + i,
    stationPhoneNumber: `80155${String(10_000 + i).slice(-5)}`,
  });
  model.states.set(agentId, {
    state: 'LoggedOut',
    outStateId: 0,
    outStateDescription: '',
    isAcw: false,
    contactId: 0,
    lastUpdateTime: model.clock.now(),
  });
  if (options.initialState === 'Available')
    model.login(agentId, { state: 'Available', outStateId: AVAILABLE_OUT_STATE });
}

function uuid(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
