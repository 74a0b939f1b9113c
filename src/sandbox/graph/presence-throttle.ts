/**
 * The presence throttle (reference graph-presence.md §4, §8.5): a sliding 30 s window per
 * (appId, tenantId) over every presence route, batch items included. Over the limit the caller
 * gets 429 with Retry-After = the time until the oldest counted request leaves the window.
 */
export const PRESENCE_WINDOW_MS = 30_000;

export class PresenceThrottle {
  readonly #windows = new Map<string, number[]>();
  /**
   * The fullest window per key so far, for the tests' "never beyond the budget" check. Kept as a
   * running maximum, not a list of every accepted request: that list grew for as long as the
   * emulator ran (the soak and `npm start` run it for hours inside the measured process).
   */
  readonly #maxInWindow = new Map<string, number>();
  /** Requests answered 429 by this throttle (batch items one each), since start. */
  throttled = 0;

  constructor(
    public limit: number,
    private readonly windowMs = PRESENCE_WINDOW_MS,
  ) {}

  /** Undefined when allowed (and counted); otherwise the seconds to wait. */
  take(key: string, now: number): number | undefined {
    const window = (this.#windows.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.#windows.set(key, window);
    if (window.length >= this.limit) {
      this.throttled += 1;
      const waitMs = window[0]! + this.windowMs - now;
      return Math.max(0.001, Math.ceil(waitMs) / 1000);
    }
    window.push(now);
    // Any window's count is at most that of the window ending at its last accepted request: the
    // maximum over these trailing windows is the maximum over all windows.
    this.#maxInWindow.set(key, Math.max(this.#maxInWindow.get(key) ?? 0, window.length));
    return undefined;
  }

  /** The largest number of accepted requests for `key` inside any window so far. */
  maxInAnyWindow(key: string): number {
    return this.#maxInWindow.get(key) ?? 0;
  }
}
