import { TEAMS_CALL_CODE } from '../../src/sandbox/sandbox-world.js';
import type { SoakTenant } from './soak-tenant.js';
import { PresenceSessionPolicy } from '../../src/adapters/graph/presence-session-policy.js';

const VOICE_STATES = new Set(['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer']);
/** Pairs only the Teams user's own (preferred) layer produces: our write would not show, so no latency sample. */
const HAND_SET = new Set(['Busy/Busy', 'DoNotDisturb/DoNotDisturb', 'BeRightBack/BeRightBack', 'Offline/OffWork']);
/**
 * The writer re-sends a session held this long (keep-alive: 4 min for Available, which decays; 50
 * min for the rest at the default PT1H), less a margin.
 */
const SESSIONS = new PresenceSessionPolicy();
function refreshMs(presence: string | undefined): number {
  const [availability = '', activity = ''] = (presence ?? '').split('/');
  return SESSIONS.refreshAt({ availability, activity }, 0) - 15_000;
}
const PRESENCE_ROUTES = new Set([
  'setPresence',
  'clearPresence',
  'setUserPreferredPresence',
  'clearUserPreferredPresence',
]);

interface Probe {
  readonly t0: number;
}

/** `repeat`: the same write again; `change`: a different one with no cause since the previous one was first written. */
export interface DuplicateWrite {
  readonly tenant: string;
  readonly agentId: string;
  readonly route: string;
  readonly presence: string;
  readonly kind: 'repeat' | 'change';
  readonly gapMs: number;
}

/** A user's last write on one route; `since` is when the run of identical writes it ends began (keep-alive refreshes extend a run). */
interface LastWrite {
  readonly at: number;
  readonly presence: string | undefined;
  readonly since: number;
}

/**
 * Watches one tenant from the emulators' side, in process:
 *  - sync latency: a publishing agent enters a voice contact in the CXone emulator (t0) → the
 *    next setPresence for their Teams user lands on the Graph emulator (t1);
 *  - duplicate writes: a presence write to a user on the same route as their previous write with
 *    no cause (ACD state change of the agent, Teams-side change of the user) in between — the same
 *    presence again before a keep-alive refresh is due, or a different one with no cause since the
 *    previous presence was first written. A keep-alive refresh re-sends what the product decided
 *    minutes ago, so it may land after a cause it could not know of yet: the write that cause
 *    brings is then no duplicate, though the refresh sits between them (the duplicate the soak
 *    printed under the route-only rule was this: see `afterRefresh`). Coalesced causes give one
 *    write, never two. A write whose answer was lost (the product's Graph timeout, 10 s) is
 *    retried and counts as a repeat: on a starved machine these are most of them.
 * The Graph emulator's write log is consumed here and not kept (it would otherwise grow for the
 * whole run inside the measured process).
 */
export class SoakObserver {
  readonly latenciesMs: number[] = [];
  readonly duplicates: DuplicateWrite[] = [];
  writes = 0;
  causes = 0;
  /**
   * Writes the route-only rule (same route, no cause since the previous write) counted as
   * duplicates but are not: the previous write repeated an earlier one (a keep-alive refresh, or
   * a retry after a lost answer) and landed after the cause, which this write then carries out.
   */
  afterRefresh = 0;
  /** Probes that never saw their write (superseded probes are not counted). */
  missed = 0;
  private readonly lastCause = new Map<string, number>();
  private readonly lastWrite = new Map<string, LastWrite | undefined>();
  private readonly probes = new Map<string, Probe>();
  private readonly wasVoiceOrCall = new Map<string, boolean>();

  constructor(
    private readonly tenant: SoakTenant,
    private readonly now: () => number = Date.now,
  ) {
    // Every user and agent has its entries from the start: maps filling in as agents first act
    // would grow the heap through the measured phase (an agent acts every few minutes).
    for (const a of tenant.agents) {
      this.lastCause.set(a.teamsUserId, 0);
      this.wasVoiceOrCall.set(a.agentId, false);
      for (const route of PRESENCE_ROUTES) this.lastWrite.set(`${a.teamsUserId}|${route}`, undefined);
    }
    const model = tenant.world.cxone.model;
    model.observe((change) => {
      if (change.kind !== 'state') return;
      const agentId = String(change.agentId);
      const agent = tenant.world.userOfAgent.get(agentId);
      if (!agent) return;
      // The product cannot know of a CXone change before the Real-Time feed reports it (the
      // emulator's reporting lag, 2 s under realism): a write made inside that window cannot carry
      // it, so the change counts as a cause from when it became visible. Dated at the change, a
      // call started 2 s after Lunch was written made its Busy write look like a second change
      // with no cause since Lunch (3 such "duplicates" in a healthy run, the gate's whole allowance).
      this.cause(agent.id, tenant.world.cxone.reportingLagMs());
      const st = model.stateOf(change.agentId);
      const contact = st.contactId ? model.contacts.get(st.contactId) : undefined;
      const voice = VOICE_STATES.has(st.state) && contact?.kind !== 'digital';
      const showsCall = voice || (st.state === 'Unavailable' && String(st.outStateId) === TEAMS_CALL_CODE);
      const before = this.wasVoiceOrCall.get(agentId) ?? false;
      this.wasVoiceOrCall.set(agentId, showsCall);
      this.probes.delete(agent.id);
      const rule = tenant.agentOfUser.get(agent.id)?.rule;
      if (!voice || before || rule === 'subscriber') return;
      const shown = tenant.world.graph.control.presence(agent.id);
      if (!HAND_SET.has(`${shown.availability}/${shown.activity}`)) this.probes.set(agent.id, { t0: this.now() });
    });
    const log = tenant.world.graph.control.writeLog;
    log.push = (...entries) => {
      for (const e of entries) this.onWrite(e.userId, e.route, e.presence);
      return log.length;
    };
  }

  /** A Teams-side change of the user (the workload's or the close's Graph control call). */
  cause(userId: string, visibleAfterMs = 0): void {
    this.causes += 1;
    this.lastCause.set(userId, Math.max(this.lastCause.get(userId) ?? 0, this.now() + visibleAfterMs));
  }

  /** Probes still open older than `ms` count as missed (the end-state check says whether the write was lost). */
  expire(ms: number): void {
    const now = this.now();
    for (const [user, p] of this.probes) {
      if (now - p.t0 > ms) {
        this.missed += 1;
        this.probes.delete(user);
      }
    }
  }

  private onWrite(userId: string, route: string, presence: string | undefined): void {
    if (!PRESENCE_ROUTES.has(route)) return;
    const now = this.now();
    this.writes += 1;
    const probe = this.probes.get(userId);
    if (probe && route === 'setPresence') {
      this.latenciesMs.push(now - probe.t0);
      this.probes.delete(userId);
    }
    const key = `${userId}|${route}`;
    const previous = this.lastWrite.get(key);
    const cause = this.lastCause.get(userId) ?? 0;
    const same = previous !== undefined && previous.presence === presence;
    const kind = !previous
      ? undefined
      : same
        ? previous.at > cause && now - previous.at < refreshMs(presence)
          ? 'repeat'
          : undefined
        : previous.since > cause
          ? 'change'
          : undefined;
    if (previous && !kind && previous.at > cause && now - previous.at < refreshMs(presence)) this.afterRefresh += 1;
    if (previous && kind) {
      this.duplicates.push({
        tenant: this.tenant.name,
        agentId: this.tenant.agentOfUser.get(userId)?.agentId ?? userId,
        route,
        presence: presence ?? '(clear)',
        kind,
        gapMs: now - previous.at,
      });
    }
    this.lastWrite.set(key, { at: now, presence, since: same ? previous.since : now });
  }
}
