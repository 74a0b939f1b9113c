/** Thresholds of Graph's slow/drop endpoint rules (reference graph-presence.md §3.4). */
export interface EndpointThresholds {
  /** An answer slower than this counts as slow (3 s at Graph). */
  readonly slowMs: number;
  /** An answer slower than this counts towards dropping (10 s at Graph). */
  readonly dropMs: number;
}

export type EndpointState = 'healthy' | 'slow' | 'drop';

const WINDOW_MS = 10 * 60_000;
const PENALTY_MS = 10 * 60_000;
const MIN_SAMPLES = 10;

/**
 * §3.4: an endpoint with more than 10% of answers slower than 3 s in a 10-minute window is
 * *slow* (new notifications delayed 10 min); more than 15% slower than 10 s is *drop*
 * (notifications discarded for 10 min, unrecoverably). Re-checked every 10 minutes.
 */
export class EndpointHealth {
  readonly #samples = new Map<string, { at: number; ms: number }[]>();
  readonly #penalties = new Map<string, { state: EndpointState; until: number }>();

  constructor(private readonly thresholds: EndpointThresholds = { slowMs: 3_000, dropMs: 10_000 }) {}

  record(endpoint: string, at: number, ms: number): void {
    const samples = (this.#samples.get(endpoint) ?? []).filter((s) => s.at > at - WINDOW_MS);
    samples.push({ at, ms });
    this.#samples.set(endpoint, samples);
    if (samples.length < MIN_SAMPLES || this.state(endpoint, at) !== 'healthy') return;
    const share = (limit: number): number => samples.filter((s) => s.ms > limit).length / samples.length;
    if (share(this.thresholds.dropMs) > 0.15) this.#penalise(endpoint, 'drop', at);
    else if (share(this.thresholds.slowMs) > 0.1) this.#penalise(endpoint, 'slow', at);
  }

  state(endpoint: string, now: number): EndpointState {
    const p = this.#penalties.get(endpoint);
    return p && p.until > now ? p.state : 'healthy';
  }

  /** When a penalty of a slow endpoint ends (new notifications wait until then). */
  slowUntil(endpoint: string): number {
    return this.#penalties.get(endpoint)?.until ?? 0;
  }

  #penalise(endpoint: string, state: EndpointState, now: number): void {
    this.#penalties.set(endpoint, { state, until: now + PENALTY_MS });
    // The next judgement starts from fresh samples (probing after the penalty).
    this.#samples.set(endpoint, []);
  }
}
