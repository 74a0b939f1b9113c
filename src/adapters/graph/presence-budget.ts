/**
 * The per-tenant presence budget (reference graph-presence.md §4): at most `limit` presence
 * requests — batch items count one each — in any sliding `windowMs`. A sliding log rather than a
 * refilling bucket, because a bucket can let 2× its size through inside one window, and Graph's
 * throttle is a sliding window too.
 */
export class PresenceBudget {
  readonly #sent: number[] = [];
  #pausedUntil = 0;

  constructor(readonly limit: number, readonly windowMs = 30_000) {}

  #trim(now: number): void {
    while (this.#sent.length > 0 && this.#sent[0]! <= now - this.windowMs) this.#sent.shift();
  }

  /** How many requests may go now (0 while paused by a Retry-After). */
  available(now: number): number {
    if (now < this.#pausedUntil) return 0;
    this.#trim(now);
    return this.limit - this.#sent.length;
  }

  take(count: number, now: number): void {
    for (let i = 0; i < count; i += 1) this.#sent.push(now);
  }

  /** Milliseconds until at least one request may go. */
  waitMs(now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#trim(now);
    return this.#sent.length < this.limit ? 0 : this.#sent[0]! + this.windowMs - now;
  }

  /** Graph said 429 with Retry-After: nothing goes until then. */
  pauseUntil(at: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, at);
  }
}
