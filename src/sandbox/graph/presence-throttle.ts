/**
 * The presence throttle (reference graph-presence.md §4, §8.5): a sliding 30 s window per
 * (appId, tenantId) over every presence route, batch items included. Over the limit the caller
 * gets 429 with Retry-After = the time until the oldest counted request leaves the window.
 */
export const PRESENCE_WINDOW_MS = 30_000;

export class PresenceThrottle {
  readonly #windows = new Map<string, number[]>();
  /** Every accepted request, for the tests' "never beyond the budget" check. */
  readonly accepted: { key: string; at: number }[] = [];

  constructor(public limit: number, private readonly windowMs = PRESENCE_WINDOW_MS) {}

  /** Undefined when allowed (and counted); otherwise the seconds to wait. */
  take(key: string, now: number): number | undefined {
    const window = (this.#windows.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.#windows.set(key, window);
    if (window.length >= this.limit) {
      const waitMs = window[0]! + this.windowMs - now;
      return Math.max(0.001, Math.ceil(waitMs) / 1000);
    }
    window.push(now);
    this.accepted.push({ key, at: now });
    return undefined;
  }

  /** The largest number of accepted requests for `key` inside any window, measured after the fact. */
  maxInAnyWindow(key: string): number {
    const times = this.accepted.filter((a) => a.key === key).map((a) => a.at);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end += 1) {
      while (times[end]! - times[start]! >= this.windowMs) start += 1;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }
}
