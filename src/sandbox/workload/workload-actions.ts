import { FIRST_CODE_ID, FIRST_SKILL_ID } from '../cxone/cxone-seed.js';

/** One simulated agent as the workload remembers it. */
export interface SimAgent {
  readonly agentId: number;
  readonly teamsUserId: string;
  loggedIn: boolean;
  contactId?: number;
  teams: 'signedIn' | 'call' | 'dnd';
}

/** A step of the story: a CXone or Graph control call (path under `/_control`, JSON body). */
export interface WorkloadStep {
  readonly system: 'cxone' | 'graph';
  readonly path: string;
  readonly body: unknown;
  readonly label: string;
  /** Applied to the agent once the call succeeded. */
  readonly after?: (agent: SimAgent, answer: unknown) => void;
}

const VOICE_SKILLS = [FIRST_SKILL_ID, FIRST_SKILL_ID + 1];
const DIGITAL_SKILLS = [FIRST_SKILL_ID + 3, FIRST_SKILL_ID + 4];
const CODES = [FIRST_CODE_ID + 2, FIRST_CODE_ID + 3, FIRST_CODE_ID + 4];
const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const contactOf = (answer: unknown): number | undefined => (answer as { contactId?: number } | undefined)?.contactId;

function contactStep(rnd: () => number, a: SimAgent, others: readonly SimAgent[]): WorkloadStep {
  const r = rnd();
  const peer = others.find((o) => o.loggedIn && o.contactId === undefined && o.agentId !== a.agentId);
  const body =
    r < 0.45
      ? { type: 'customer', agentId: a.agentId, skillId: pick(rnd, VOICE_SKILLS), direction: 'inbound' }
      : r < 0.6
        ? { type: 'customer', agentId: a.agentId, skillId: FIRST_SKILL_ID + 2, direction: 'outbound' }
        : r < 0.75
          ? { type: 'digital', agentId: a.agentId, skillId: pick(rnd, DIGITAL_SKILLS) }
          : r < 0.85 && peer
            ? { type: 'agentCall', agentId: a.agentId, targetAgentId: peer.agentId }
            : r < 0.92 && peer
              ? { type: 'consult', agentId: a.agentId, targetAgentId: peer.agentId }
              : { type: 'skillCall', agentId: a.agentId, skillId: pick(rnd, VOICE_SKILLS) };
  return {
    system: 'cxone',
    path: '/contacts',
    body,
    label: `${a.agentId} ${body.type} contact`,
    after: (x, answer) => {
      const id = contactOf(answer);
      if (id !== undefined) x.contactId = id;
    },
  };
}

function acdStep(rnd: () => number, a: SimAgent, others: readonly SimAgent[]): WorkloadStep {
  if (!a.loggedIn)
    return {
      system: 'cxone',
      path: `/agents/${a.agentId}/login`,
      body: { state: 'Available' },
      label: `${a.agentId} logs in`,
      after: (x) => void (x.loggedIn = true),
    };
  if (a.contactId !== undefined) {
    const id = a.contactId;
    return {
      system: 'cxone',
      path: `/contacts/${id}/end`,
      body: {},
      label: `${a.agentId} ends contact ${id}`,
      after: (x) => void delete x.contactId,
    };
  }
  const r = rnd();
  if (r < 0.55) return contactStep(rnd, a, others);
  if (r < 0.75)
    return {
      system: 'cxone',
      path: `/agents/${a.agentId}/state`,
      body: { state: 'Unavailable', outStateId: pick(rnd, CODES) },
      label: `${a.agentId} takes an unavailable code`,
    };
  if (r < 0.95)
    return {
      system: 'cxone',
      path: `/agents/${a.agentId}/state`,
      body: { state: 'Available' },
      label: `${a.agentId} is available`,
    };
  return {
    system: 'cxone',
    path: `/agents/${a.agentId}/logout`,
    body: {},
    label: `${a.agentId} logs out`,
    after: (x) => void (x.loggedIn = false),
  };
}

function teamsStep(rnd: () => number, a: SimAgent): WorkloadStep {
  const user = `/users/${a.teamsUserId}`;
  if (a.teams === 'call')
    return {
      system: 'graph',
      path: `${user}/teams`,
      body: { activity: 'signedIn' },
      label: `${a.agentId} ends a Teams call`,
      after: (x) => void (x.teams = 'signedIn'),
    };
  if (a.teams === 'dnd')
    return {
      system: 'graph',
      path: `${user}/manual`,
      body: null,
      label: `${a.agentId} clears Do not disturb`,
      after: (x) => void (x.teams = 'signedIn'),
    };
  return rnd() < 0.6
    ? {
        system: 'graph',
        path: `${user}/teams`,
        body: { activity: 'call' },
        label: `${a.agentId} joins a Teams call`,
        after: (x) => void (x.teams = 'call'),
      }
    : {
        system: 'graph',
        path: `${user}/manual`,
        body: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
        label: `${a.agentId} sets Do not disturb`,
        after: (x) => void (x.teams = 'dnd'),
      };
}

/** The next step for a randomly chosen agent: mostly ACD activity, sometimes Teams activity. */
export function nextStep(rnd: () => number, agents: readonly SimAgent[]): { agent: SimAgent; step: WorkloadStep } {
  const agent = pick(rnd, agents);
  const teamsSide = agent.teams !== 'signedIn' || rnd() < 0.12;
  return { agent, step: teamsSide ? teamsStep(rnd, agent) : acdStep(rnd, agent, agents) };
}
