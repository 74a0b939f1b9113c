/**
 * The per-tenant presence budget (reference graph-presence.md §4): at most `limit` presence
 * requests — batch items count one each — in any sliding `windowMs`. A sliding log rather than a
 * refilling bucket, because a bucket can let 2× its size through inside one window, and Graph's
 * throttle is a sliding window too.
 *
 * Graph counts a request when it arrives, which we cannot observe: it is somewhere between our
 * send and its answer. Counting at the send made our window open before Graph's did — on a real
 * clock, the first writes after each window boundary were 429s, and every 429 cost a whole extra
 * window (the throttled attempt stays counted, §4: "usage is still counted while you are
 * throttled"). So a request is *reserved* when sent (it holds a slot at once) and *stamped* when
 * answered, the latest moment it can have reached Graph: our window then never opens before
 * Graph's, at the price of one round trip per window.
 */
export class PresenceBudget {
  /** Answer times of requests still inside the window, ascending. */
  readonly #sent: number[] = [];
  /** Requests sent and not yet answered: they hold slots but have no time yet. */
  #reserved = 0;
  #pausedUntil = 0;

  constructor(
    readonly limit: number,
    readonly windowMs = 30_000,
  ) {}

  #trim(now: number): void {
    let expired = 0;
    while (expired < this.#sent.length && this.#sent[expired]! <= now - this.windowMs) expired += 1;
    if (expired > 0) this.#sent.splice(0, expired);
  }

  /** Requests counted in the window at `now` or on their way: 0 when the window is idle. */
  inUse(now: number): number {
    this.#trim(now);
    return this.#sent.length + this.#reserved;
  }

  /** How many requests may go now (0 while paused by a Retry-After). */
  available(now: number): number {
    if (now < this.#pausedUntil) return 0;
    this.#trim(now);
    return Math.max(0, this.limit - this.#sent.length - this.#reserved);
  }

  /**
   * What may go now without leaving fewer than `keep` slots free `horizonMs` from now: the budget
   * for a backlog, which keeps `keep` slots for a change that arrives while it drains — except in
   * the last `horizonMs` before slots free anyway, when keeping them would only waste them.
   */
  spendable(now: number, horizonMs: number, keep: number): number {
    const free = this.available(now);
    if (free <= 0) return 0;
    const stillCounted = this.#sent.length - this.#leavingBy(now + horizonMs);
    return Math.max(0, Math.min(free, this.limit - stillCounted - this.#reserved - keep));
  }

  /** Milliseconds until {@link spendable} may be positive by time alone; undefined as in {@link nextFreeInMs}. */
  nextSpendableInMs(now: number, horizonMs: number, keep: number): number | undefined {
    const free = this.nextFreeInMs(now);
    if (free === undefined) return undefined;
    // Stamps that must have left the window `horizonMs` later for one slot beyond `keep` to be spendable.
    const leave = this.#sent.length + this.#reserved + keep + 1 - this.limit;
    if (leave <= 0) return free;
    const stamp = this.#sent[leave - 1];
    return stamp === undefined ? undefined : Math.max(free, stamp + this.windowMs - horizonMs - now);
  }

  /** How many counted requests have left the window by `at`. */
  #leavingBy(at: number): number {
    let n = 0;
    while (n < this.#sent.length && this.#sent[n]! <= at - this.windowMs) n += 1;
    return n;
  }

  /** `count` requests are being sent now: they hold slots until {@link settle} stamps them. */
  reserve(count: number): Reservation {
    this.#reserved += count;
    let open = true;
    return {
      count,
      settle: (at: number) => {
        if (!open) return;
        open = false;
        this.#reserved -= count;
        this.#stamp(count, at);
      },
    };
  }

  /** Requests already answered at `now` (reserve and settle in one). */
  take(count: number, now: number): void {
    this.reserve(count).settle(now);
  }

  /**
   * Milliseconds until at least one request may go by time alone (a Retry-After pause ending, an
   * answered request leaving the window); undefined when only unanswered requests stand in the
   * way — their answers, not the clock, free the next slot.
   */
  nextFreeInMs(now: number): number | undefined {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#trim(now);
    const excess = this.#sent.length + this.#reserved - this.limit;
    if (excess < 0) return 0;
    const freeing = this.#sent[excess];
    return freeing === undefined ? undefined : Math.max(0, freeing + this.windowMs - now);
  }

  /** {@link nextFreeInMs}, or a short poll when only unanswered requests stand in the way. */
  waitMs(now: number): number {
    return this.nextFreeInMs(now) ?? IN_FLIGHT_POLL_MS;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#reserved;
  }

  /** Until when a Retry-After pauses every request (0 or past: not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Graph said 429 with Retry-After: nothing goes until then. */
  pauseUntil(at: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, at);
  }

  #stamp(count: number, at: number): void {
    // Answers can land out of order on a shared clock; keep the log ascending so trimming stays a prefix cut.
    let i = this.#sent.length;
    while (i > 0 && this.#sent[i - 1]! > at) i -= 1;
    this.#sent.splice(i, 0, ...Array.from({ length: count }, () => at));
  }
}

/** Slots held by requests on their way; settle once, when the answer (or failure) arrives. */
export interface Reservation {
  readonly count: number;
  settle(at: number): void;
}

export const IN_FLIGHT_POLL_MS = 50;
