import { TEAMS_CALL_CODE } from '../../src/sandbox/sandbox-world.js';
import type { SoakTenant } from './soak-tenant.js';

const VOICE_STATES = new Set(['InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult', 'Dialer']);
/** Pairs only the Teams user's own (preferred) layer produces: our write would not show, so no latency sample. */
const HAND_SET = new Set(['Busy/Busy', 'DoNotDisturb/DoNotDisturb', 'BeRightBack/BeRightBack', 'Offline/OffWork']);
/** The writer re-sends a session held this long (keep-alive, graph-presence-writer refreshAfterMs), less a margin. */
const REFRESH_MS = 4 * 60_000 - 15_000;
const PRESENCE_ROUTES = new Set(['setPresence', 'clearPresence', 'setUserPreferredPresence', 'clearUserPreferredPresence']);

interface Probe { readonly t0: number }

export interface DuplicateWrite { readonly tenant: string; readonly agentId: string; readonly route: string; readonly gapMs: number }

/**
 * Watches one tenant from the emulators' side, in process:
 *  - sync latency: a publishing agent enters a voice contact in the CXone emulator (t0) → the
 *    next setPresence for their Teams user lands on the Graph emulator (t1);
 *  - duplicate writes: a presence write to a user on the same route as their previous write,
 *    with no cause in between (no ACD state change of the agent, no Teams-side change of the
 *    user) and before a keep-alive refresh is due. Coalesced causes give one write, never two.
 * The Graph emulator's write log is consumed here and not kept (it would otherwise grow for the
 * whole run inside the measured process).
 */
export class SoakObserver {
  readonly latenciesMs: number[] = [];
  readonly duplicates: DuplicateWrite[] = [];
  writes = 0;
  causes = 0;
  /** Probes that never saw their write (superseded probes are not counted). */
  missed = 0;
  private readonly lastCause = new Map<string, number>();
  private readonly lastWrite = new Map<string, number>();
  private readonly probes = new Map<string, Probe>();
  private readonly wasVoiceOrCall = new Map<string, boolean>();

  constructor(private readonly tenant: SoakTenant, private readonly now: () => number = Date.now) {
    const model = tenant.world.cxone.model;
    model.observe((change) => {
      if (change.kind !== 'state') return;
      const agentId = String(change.agentId);
      const agent = tenant.world.userOfAgent.get(agentId);
      if (!agent) return;
      this.cause(agent.id);
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
      for (const e of entries) this.onWrite(e.userId, e.route);
      return log.length;
    };
  }

  /** A Teams-side change of the user (the workload's or the close's Graph control call). */
  cause(userId: string): void {
    this.causes += 1;
    this.lastCause.set(userId, this.now());
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

  private onWrite(userId: string, route: string): void {
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
    if (previous !== undefined && previous > cause && now - previous < REFRESH_MS) {
      this.duplicates.push({ tenant: this.tenant.name, agentId: this.tenant.agentOfUser.get(userId)?.agentId ?? userId, route, gapMs: now - previous });
    }
    this.lastWrite.set(key, now);
  }
}
