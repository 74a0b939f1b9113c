import { z } from 'zod';
import type { Clock } from '../../application/ports.js';
import type { CxoneModel } from './cxone-model.js';
import type { EmuAgentState, EmuContact } from './cxone-model-types.js';

/**
 * How much the emulator behaves like NICE's service rather than like a test double (README
 * "Real-Time feed lag and rate limit"): the Real-Time feed shows changes late, and API requests
 * beyond a rate are throttled with 429 + Retry-After.
 */
export const cxoneRealismSchema = z.object({
  /** `GET /agents/states` shows an agent's change this long after it happened (0 = at once). */
  reportingLagMs: z.number().int().nonnegative().max(120_000).default(0),
  /** A token bucket over all API requests of the business unit; absent = no limit. */
  rateLimit: z
    .object({ requestsPerSecond: z.number().positive().max(10_000), burst: z.number().int().positive().max(100_000) })
    .nullable()
    .default(null),
});
export type CxoneRealism = z.input<typeof cxoneRealismSchema>;

/**
 * The sandbox's realistic defaults. NICE publishes neither a Real-Time reporting delay nor a rate
 * limit for the ACD APIs (reference §2.1, §8), so both are inferred: NICE's own agent app reads
 * agent state from a cached endpoint it polls every 5 s (reference §2.1) — a cached view, late by
 * up to its refresh — so changes show 2 s late; and the only throttles CXone publishes (Digital
 * Engagement: 120,000 contact reads per hour per tenant ≈ 33/s, with a burst allowance) put the
 * limit at tens of requests per second, so 15/s with a burst of 30 per business unit.
 */
export const REALISTIC_CXONE: Readonly<Required<CxoneRealism>> = Object.freeze({
  reportingLagMs: 2000,
  rateLimit: Object.freeze({ requestsPerSecond: 15, burst: 30 }),
});

/** Realism off: every change visible at once, no throttling (tests that count requests or need speed). */
export const INSTANT_CXONE: Readonly<Required<CxoneRealism>> = Object.freeze({ reportingLagMs: 0, rateLimit: null });

/** An agent's state as the Real-Time feed shows it (a copy taken when it changed). */
export interface ReportedState {
  readonly st: Readonly<EmuAgentState>;
  readonly contact?: Readonly<EmuContact>;
}

/**
 * What `GET /agents/states` shows under a reporting lag: each agent's state as of `lagMs` ago,
 * stamped with the time it really changed (so a client whose `updatedSince` window does not reach
 * back that far misses it — the production failure this models).
 */
export class CxoneReportedStates {
  private readonly shown = new Map<number, ReportedState>();
  private pending: { readonly agentId: number; readonly visibleAt: number; readonly state: ReportedState }[] = [];

  constructor(
    private readonly model: CxoneModel,
    private lagMs: number,
  ) {
    for (const agentId of model.states.keys()) this.shown.set(agentId, this.copy(agentId));
    model.observe((change) => {
      if (change.kind !== 'state') return;
      const state = this.copy(change.agentId);
      if (this.lagMs === 0) this.shown.set(change.agentId, state);
      else this.pending.push({ agentId: change.agentId, visibleAt: state.st.lastUpdateTime + this.lagMs, state });
    });
  }

  get lag(): number {
    return this.lagMs;
  }

  setLag(lagMs: number): void {
    this.lagMs = lagMs;
  }

  /** Changes that happened but that the feed does not show yet (waiting out the reporting lag) at `now`. */
  unreported(now: number): number {
    return this.lagMs === 0 ? 0 : this.pending.filter((p) => p.visibleAt > now).length;
  }

  /** Every agent's reported state at `now`. */
  at(now: number): ReadonlyMap<number, ReportedState> {
    const due = this.pending.filter((p) => p.visibleAt <= now || this.lagMs === 0);
    if (due.length > 0) {
      for (const p of due) this.shown.set(p.agentId, p.state);
      this.pending = this.pending.filter((p) => !due.includes(p));
    }
    return this.shown;
  }

  private copy(agentId: number): ReportedState {
    const st = { ...this.model.stateOf(agentId) };
    const contact = this.model.contacts.get(st.contactId);
    return contact ? { st, contact: { ...contact } } : { st };
  }
}

/** A token bucket: `take` is false when the request must be throttled, with the wait until the next token. */
export class CxoneRateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly limit: { readonly requestsPerSecond: number; readonly burst: number },
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  take(): { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number } {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.requestsPerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - this.tokens) / this.limit.requestsPerSecond)) };
  }
}
