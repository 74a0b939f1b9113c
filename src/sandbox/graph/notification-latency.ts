/** How long Graph takes to send a presence change notification (README "Delivery latency"). */
export interface NotificationLatency {
  /** The delay of the next notification, ms. */
  nextMs(): number;
  readonly description: string;
}

export const NO_LATENCY: NotificationLatency = { nextMs: () => 0, description: 'none' };

/** Microsoft's figures for presence: average under 10 s, at most 1 minute. */
export const PRESENCE_LATENCY_MAX_MS = 60_000;
/**
 * The realistic default: log-normal with a 3 s median and σ 0.8 (mean ≈ 4.1 s, 95th percentile
 * ≈ 11 s), capped at the documented minute. The shape is the emulator's choice; Microsoft gives
 * only the average bound and the maximum.
 */
export const REALISTIC_MEDIAN_MS = 3_000;
const REALISTIC_SIGMA = 0.8;

/** Log-normal latency from a uniform `random` (injected: tests pass a seeded one). */
export function realisticLatency(
  random: () => number = Math.random,
  medianMs = REALISTIC_MEDIAN_MS,
  maxMs = PRESENCE_LATENCY_MAX_MS,
): NotificationLatency {
  return {
    description: `log-normal, median ${medianMs} ms, max ${maxMs} ms`,
    nextMs() {
      // Box–Muller: one standard normal from two uniforms (1 - u keeps log away from 0).
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.min(maxMs, Math.round(medianMs * Math.exp(REALISTIC_SIGMA * z)));
    },
  };
}

export function fixedLatency(ms: number): NotificationLatency {
  return { nextMs: () => ms, description: `fixed ${ms} ms` };
}

/**
 * `SANDBOX_GRAPH_NOTIFICATION_LATENCY`: `realistic` (the sandbox default), `0`/`off` (tests that
 * need speed), a number of ms (fixed), or `median:<ms>` (realistic shape around another median).
 * Undefined for anything else, so configuration can refuse it by name.
 */
export function parseNotificationLatency(
  value: string,
  random: () => number = Math.random,
): NotificationLatency | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'realistic') return realisticLatency(random);
  if (v === 'off' || v === '0') return NO_LATENCY;
  if (/^\d+$/.test(v)) return fixedLatency(Math.min(Number(v), PRESENCE_LATENCY_MAX_MS));
  const median = /^median:(\d+)$/.exec(v);
  if (median) return realisticLatency(random, Number(median[1]));
  return undefined;
}
