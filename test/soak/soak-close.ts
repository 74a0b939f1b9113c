import { setTimeout as delay } from 'node:timers/promises';
import { FIRST_SKILL_ID } from '../../src/sandbox/cxone/cxone-seed.js';
import { LUNCH_CODE } from '../../src/sandbox/sandbox-seed.js';
import { TEAMS_CALL_CODE, TEAMS_DND_CODE } from '../../src/sandbox/sandbox-world.js';
import { forEachLimit } from './for-each-limit.js';
import type { SimAgent } from '../../src/sandbox/workload/workload-actions.js';
import type { SoakObserver } from './soak-observer.js';
import type { RuleKind, SoakAgent, SoakTenant } from './soak-tenant.js';

/** One agent whose end state is not what the rules say. */
export interface Mismatch {
  readonly tenant: string;
  readonly agentId: string;
  readonly rule: RuleKind;
  readonly check: string;
  readonly want: string;
  readonly got: string;
}

export interface Side {
  readonly tenant: SoakTenant;
  readonly observer: SoakObserver;
}

const VOICE = new Set(['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer']);
const SUPPORT_INBOUND = FIRST_SKILL_ID + 1;
const CHAT = FIRST_SKILL_ID + 3;
const AVAILABLE = 'Available/Available';
const IN_A_CALL = 'Busy/InACall';
const DND = 'DoNotDisturb/DoNotDisturb';

const shown = (t: SoakTenant, a: SoakAgent): string => {
  const p = t.world.graph.control.presence(a.teamsUserId);
  return `${p.availability}/${p.activity}`;
};
const acdOf = (t: SoakTenant, a: SoakAgent): string => {
  const st = t.world.cxone.model.stateOf(Number(a.agentId));
  const contact = st.contactId ? t.world.cxone.model.contacts.get(st.contactId) : undefined;
  return st.state === 'Unavailable'
    ? `Unavailable:${st.outStateId}`
    : VOICE.has(st.state) && contact?.kind === 'digital'
      ? `${st.state}:digital`
      : st.state;
};
const publishes = (rule: RuleKind): boolean => rule !== 'subscriber';

/**
 * End of the random phase, nothing moving: what the rules say regardless of history.
 * A publishing agent on a voice contact without a hand-set status shows In a call; a logged-out
 * agent shows only their own Teams client (our session was cleared).
 */
export function checkRandomPhase(sides: readonly Side[], story: ReadonlyMap<string, readonly SimAgent[]>): Mismatch[] {
  const out: Mismatch[] = [];
  for (const { tenant: t } of sides) {
    const sim = new Map((story.get(t.name) ?? []).map((s) => [String(s.agentId), s]));
    for (const a of t.agents) {
      const acd = acdOf(t, a);
      const teams = sim.get(a.agentId)?.teams ?? 'signedIn';
      const got = shown(t, a);
      if (publishes(a.rule) && VOICE.has(acd) && teams !== 'dnd' && got !== IN_A_CALL)
        out.push({
          tenant: t.name,
          agentId: a.agentId,
          rule: a.rule,
          check: 'voice contact shows In a call',
          want: IN_A_CALL,
          got: `${got} (ACD ${acd})`,
        });
      const own = teams === 'dnd' ? DND : teams === 'call' ? IN_A_CALL : AVAILABLE;
      if (acd === 'LoggedOut' && got !== own)
        out.push({
          tenant: t.name,
          agentId: a.agentId,
          rule: a.rule,
          check: 'logged out shows only the Teams client',
          want: own,
          got,
        });
    }
  }
  return out;
}

/** Clears what the story left: Teams calls and hand-set statuses (of the users the story touched), every contact (ACW follows). */
export async function endEverything(
  sides: readonly Side[],
  story: ReadonlyMap<string, readonly SimAgent[]>,
  concurrency: number,
): Promise<void> {
  await Promise.all(
    sides.map(async ({ tenant: t, observer }) => {
      const touched = (story.get(t.name) ?? []).filter((s) => s.teams !== 'signedIn');
      await forEachLimit(touched, concurrency, async (s) => {
        observer.cause(s.teamsUserId);
        await t.control(
          'graph',
          `/users/${s.teamsUserId}/${s.teams === 'call' ? 'teams' : 'manual'}`,
          s.teams === 'call' ? { activity: 'signedIn' } : null,
        );
        s.teams = 'signedIn';
      });
      const contacts = [...t.world.cxone.model.contacts.keys()];
      await forEachLimit(contacts, concurrency, (id) => t.control('cxone', `/contacts/${id}/end`, {}));
    }),
  );
}

/**
 * After the story was cleared (no contact, no Teams call, no hand-set status): every hold the
 * sync put on the ACD for a Teams status is released, and Teams shows what the rules say for the
 * agent's ACD state — Available (the client; our Away ranks below it) except the user rule's
 * Lunch (Do not disturb / Presenting).
 */
export function checkCleared(sides: readonly Side[]): Mismatch[] {
  const held = new Set([`Unavailable:${TEAMS_DND_CODE}`, `Unavailable:${TEAMS_CALL_CODE}`]);
  return sides.flatMap(({ tenant: t }) =>
    t.agents.flatMap((a) => {
      const acd = acdOf(t, a);
      const got = shown(t, a);
      const want = a.rule === 'user' && acd === `Unavailable:${LUNCH_CODE}` ? 'DoNotDisturb/Presenting' : AVAILABLE;
      const out: Mismatch[] = [];
      if (held.has(acd))
        out.push({
          tenant: t.name,
          agentId: a.agentId,
          rule: a.rule,
          check: 'Teams back to Available released our ACD hold',
          want: 'not a Teams code',
          got: acd,
        });
      if (got !== want)
        out.push({
          tenant: t.name,
          agentId: a.agentId,
          rule: a.rule,
          check: 'Teams shows what the rules say',
          want,
          got: `${got} (ACD ${acd})`,
        });
      return out;
    }),
  );
}

export async function logoutEveryone(sides: readonly Side[], concurrency: number): Promise<void> {
  await Promise.all(
    sides.map(({ tenant: t }) =>
      forEachLimit(t.agents, concurrency, async (a) => {
        if (t.world.cxone.model.stateOf(Number(a.agentId)).state !== 'LoggedOut')
          await t.control('cxone', `/agents/${a.agentId}/logout`, {});
      }),
    ),
  );
}

/** After everyone logged out: ACD LoggedOut, Teams shows only the signed-in client (no session of ours left). */
export function checkLoggedOut(sides: readonly Side[]): Mismatch[] {
  return sides.flatMap(({ tenant: t }) =>
    t.agents.flatMap((a) => {
      const acd = acdOf(t, a);
      const got = shown(t, a);
      return acd === 'LoggedOut' && got === AVAILABLE
        ? []
        : [
            {
              tenant: t.name,
              agentId: a.agentId,
              rule: a.rule,
              check: 'logged out, our session cleared',
              want: `LoggedOut ${AVAILABLE}`,
              got: `${acd} ${got}`,
            },
          ];
    }),
  );
}

/** The final state each agent is driven to, by position: every kind on every rule. */
const FINAL = ['available', 'voice', 'lunch', 'digital', 'teamsDnd', 'teamsCall'] as const;
type Final = (typeof FINAL)[number];
const finalOf = (a: SoakAgent): Final => FINAL[a.index % FINAL.length]!;

export async function driveFinalStates(
  sides: readonly Side[],
  concurrency: number,
  settle: () => Promise<unknown>,
): Promise<void> {
  await Promise.all(
    sides.map(({ tenant: t }) =>
      forEachLimit(t.agents, concurrency, (a) =>
        t.control(
          'cxone',
          `/agents/${a.agentId}/login`,
          finalOf(a) === 'lunch' ? { state: 'Unavailable', outStateId: Number(LUNCH_CODE) } : { state: 'Available' },
        ),
      ),
    ),
  );
  // Logins processed first: the contacts and Teams changes then meet a logged-in agent.
  await settle();
  await Promise.all(
    sides.map(({ tenant: t, observer }) =>
      forEachLimit(t.agents, concurrency, async (a) => {
        const kind = finalOf(a);
        if (kind === 'voice')
          await t.control('cxone', '/contacts', {
            type: 'customer',
            agentId: Number(a.agentId),
            skillId: SUPPORT_INBOUND,
            direction: 'inbound',
          });
        if (kind === 'digital')
          await t.control('cxone', '/contacts', { type: 'digital', agentId: Number(a.agentId), skillId: CHAT });
        if (kind === 'teamsDnd' || kind === 'teamsCall') observer.cause(a.teamsUserId);
        if (kind === 'teamsDnd')
          await t.control('graph', `/users/${a.teamsUserId}/manual`, {
            availability: 'DoNotDisturb',
            activity: 'DoNotDisturb',
          });
        if (kind === 'teamsCall') await t.control('graph', `/users/${a.teamsUserId}/teams`, { activity: 'call' });
      }),
    ),
  );
}

/** What the sandbox rules say for each final state: [ACD, Teams as Graph aggregates it]. */
function expected(kind: Final, rule: RuleKind): [string, string] {
  const subscribes = rule === 'subscriber' || rule === 'bidirectional';
  switch (kind) {
    case 'available':
      return ['Available', AVAILABLE];
    case 'voice':
      return ['InboundContact', publishes(rule) ? IN_A_CALL : AVAILABLE];
    // Away (our session) ranks below the client's Available; the user rule shows Do not disturb / Presenting.
    case 'lunch':
      return [`Unavailable:${LUNCH_CODE}`, rule === 'user' ? 'DoNotDisturb/Presenting' : AVAILABLE];
    // Digital work never changes Teams.
    case 'digital':
      return ['InboundContact:digital', AVAILABLE];
    case 'teamsDnd':
      return [subscribes ? `Unavailable:${TEAMS_DND_CODE}` : 'Available', DND];
    case 'teamsCall':
      return [subscribes ? `Unavailable:${TEAMS_CALL_CODE}` : 'Available', IN_A_CALL];
  }
}

export function checkFinalStates(sides: readonly Side[]): Mismatch[] {
  return sides.flatMap(({ tenant: t }) =>
    t.agents.flatMap((a) => {
      const kind = finalOf(a);
      const [acd, teams] = expected(kind, a.rule);
      const got = `${acdOf(t, a)} ${shown(t, a)}`;
      return got === `${acd} ${teams}`
        ? []
        : [{ tenant: t.name, agentId: a.agentId, rule: a.rule, check: `final ${kind}`, want: `${acd} ${teams}`, got }];
    }),
  );
}

/**
 * Waits until nothing moves for `quietMs`: every tenant's inbox empty, engine idle, no Graph
 * notification owed (with the realistic latency a change's notification may leave up to a minute
 * after it), no CXone change still waiting out the reporting lag, and no new cause (ACD change or
 * Teams-side change). Waiting on these rather than on a longer quiet keeps the check as strict as
 * before: it ends as soon as everything owed has arrived and been acted on, bounded by `timeoutMs`
 * (the documented maximum latency, a minute, fits in it with room). Returns the time it took.
 */
export async function whenQuiet(sides: readonly Side[], quietMs: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let calmSince = Date.now();
  let last = '';
  for (;;) {
    await Promise.all(sides.map((s) => s.tenant.world.graph.control.settle()));
    const busy = await Promise.all(
      sides.map(async ({ tenant: t, observer }) => {
        const rt = t.app.runtime;
        const depth = await t.app.store.inbox.depth(t.tenantId);
        const owed = t.world.graph.control.notificationsOwed + t.world.cxone.unreported();
        // The engine waits for its own Graph writes; keep-alive refreshes of held sessions never stop, so they are not activity.
        return `${depth}|${rt.engine.isIdle() ? 0 : 1}|${owed}|${observer.causes}`;
      }),
    );
    const now = busy.join(',');
    const idle = busy.every((b) => b.startsWith('0|0|0|'));
    if (!idle || now !== last) calmSince = Date.now();
    last = now;
    if (idle && Date.now() - calmSince >= quietMs) return Date.now() - started - quietMs;
    if (Date.now() - started > timeoutMs)
      throw new Error(`no convergence within ${timeoutMs} ms (inbox|busy|owed|causes per tenant: ${now})`);
    await delay(250);
  }
}
