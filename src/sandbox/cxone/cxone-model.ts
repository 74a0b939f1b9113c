import type { Clock } from '../../application/ports.js';
import type { AcdStateName } from '../../domain/agent-state.js';
import type {
  EmuAgent,
  EmuAgentState,
  EmuCode,
  EmuContact,
  EmuNextState,
  EmuSkill,
  EmuTeam,
} from './cxone-model-types.js';

/** What changed, for the agent-session event stream (reference §3.2). */
export type ModelChange =
  | { readonly kind: 'state'; readonly agentId: number }
  | { readonly kind: 'contact'; readonly contact: EmuContact }
  | { readonly kind: 'sessionEnd'; readonly agentId: number };

/**
 * Reserved out-states (NICE help "Reserved Unavailable Codes", reference §6): 0 = Available and
 * 3 = Unavailable, the default unavailable state an agent is in right after login and the one a
 * state request without a code sets. Any value outside −13…3 is a customer code.
 */
export const AVAILABLE_OUT_STATE = 0;
export const UNAVAILABLE_OUT_STATE = 3;
export const isReservedOutState = (id: number): boolean => id >= -13 && id <= 3;

/**
 * The emulated business unit: directory, agent states and contacts, all timestamped by one clock.
 * Timers (ACW timeout, code inactivity logout) are evaluated lazily by `tick()`, which every
 * request runs first; a due change is stamped with its due time, which is always later than the
 * previous request, so an `updatedSince` poll can never miss it.
 */
export class CxoneModel {
  readonly teams = new Map<number, EmuTeam>();
  readonly codes = new Map<number, EmuCode>();
  readonly skills = new Map<number, EmuSkill>();
  readonly agents = new Map<number, EmuAgent>();
  readonly states = new Map<number, EmuAgentState>();
  readonly contacts = new Map<number, EmuContact>();
  private lastContactId = 700_000_000;
  private readonly observers: ((change: ModelChange) => void)[] = [];

  constructor(
    readonly clock: Clock,
    readonly businessUnitId = 4500,
  ) {}

  observe(observer: (change: ModelChange) => void): void {
    this.observers.push(observer);
  }

  notify(change: ModelChange): void {
    for (const o of this.observers) o(change);
  }

  newContactId(): number {
    this.lastContactId += 1;
    return this.lastContactId;
  }

  agent(agentId: number): EmuAgent | undefined {
    return this.agents.get(agentId);
  }

  stateOf(agentId: number): EmuAgentState {
    const st = this.states.get(agentId);
    if (!st) throw new RangeError(`unknown agent ${agentId}`);
    return st;
  }

  teamCodes(teamId: number): EmuCode[] {
    const team = this.teams.get(teamId);
    return (team?.codeIds ?? []).map((id) => this.codes.get(id)).filter((c): c is EmuCode => c !== undefined);
  }

  /** Moves an agent to a state (reference §6) and stamps lastUpdateTime; schedules code inactivity logout (§4). */
  enter(
    agentId: number,
    state: AcdStateName,
    extra: { outStateId?: number; isAcw?: boolean; contactId?: number; at?: number } = {},
  ): void {
    const st = this.stateOf(agentId);
    const at = extra.at ?? this.clock.now();
    const outStateId = state === 'Unavailable' ? (extra.outStateId ?? UNAVAILABLE_OUT_STATE) : AVAILABLE_OUT_STATE;
    const code = this.codes.get(outStateId);
    st.state = state;
    st.outStateId = outStateId;
    st.outStateDescription = state === 'Unavailable' && code ? code.name : '';
    st.isAcw = extra.isAcw ?? false;
    st.contactId = extra.contactId ?? 0;
    st.lastUpdateTime = at;
    delete st.dueAt;
    delete st.dueKind;
    if (state === 'LoggedOut') delete st.sessionStartTime;
    if (state === 'Unavailable' && code && !st.isAcw)
      this.schedule(st, at + code.agentTimeoutMins * 60_000, 'inactivityLogout');
    this.notify({ kind: 'state', agentId });
  }

  schedule(st: EmuAgentState, dueAt: number, kind: 'acwEnd' | 'inactivityLogout'): void {
    st.dueAt = dueAt;
    st.dueKind = kind;
  }

  /** Leaves a contact or ACW for the queued next state, else the given default (reference §4 "next state"). */
  enterNext(agentId: number, fallback: EmuNextState, at?: number): void {
    const st = this.stateOf(agentId);
    const next = st.next ?? fallback;
    delete st.next;
    delete st.acwPostTimeout;
    this.enter(agentId, next.state, { outStateId: next.outStateId, ...(at !== undefined ? { at } : {}) });
  }

  /** Runs every timer due by now, in due order. */
  tick(): void {
    const now = this.clock.now();
    // Runs before every request: no copy of every agent's entry (2,000 control calls at 2,000 agents copied 4 million).
    const due: [number, EmuAgentState][] = [];
    for (const entry of this.states) if (entry[1].dueAt !== undefined && entry[1].dueAt <= now) due.push(entry);
    due.sort((a, b) => (a[1].dueAt ?? 0) - (b[1].dueAt ?? 0));
    for (const [agentId, st] of due) this.fire(agentId, st);
  }

  private fire(agentId: number, st: EmuAgentState): void {
    const at = st.dueAt ?? this.clock.now();
    if (st.dueKind === 'acwEnd')
      this.enterNext(agentId, st.acwPostTimeout ?? { state: 'Available', outStateId: AVAILABLE_OUT_STATE }, at);
    else this.logout(agentId, at);
  }

  /** Agents log in as Unavailable with the reserved code 3 (NICE help, reference §6), unless told otherwise. */
  login(agentId: number, initial: EmuNextState = { state: 'Unavailable', outStateId: UNAVAILABLE_OUT_STATE }): void {
    const st = this.stateOf(agentId);
    if (st.state !== 'LoggedOut') return;
    st.sessionStartTime = this.clock.now();
    this.enter(agentId, initial.state, { outStateId: initial.outStateId });
  }

  /** Ends the session; open contacts of the agent end with it. */
  logout(agentId: number, at?: number): void {
    for (const c of [...this.contacts.values()]) if (c.agentId === agentId) this.contacts.delete(c.contactId);
    const st = this.stateOf(agentId);
    delete st.next;
    delete st.heldContactId;
    this.enter(agentId, 'LoggedOut', at !== undefined ? { at } : {});
    this.notify({ kind: 'sessionEnd', agentId });
  }
}
