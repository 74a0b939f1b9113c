import type { TeamsPresence } from '../../domain/presence.js';

/** Graph's bounds of setPresence's expirationDuration (reference graph-presence.md §2.2). */
export const SESSION_MIN_MINUTES = 5;
export const SESSION_MAX_MINUTES = 240;
export const DEFAULT_SESSION_DURATION = 'PT1H';
/**
 * An Available app session not written for 5 minutes fades to Available/AvailableInactive (§2.1):
 * it is re-written this often however long it may live, and lives no longer than this: once the
 * writes stop it would show Away after 10 minutes anyway.
 */
export const AVAILABLE_REFRESH_MS = 4 * 60_000;
const AVAILABLE_MAX_MINUTES = 15;
/** A long session is refreshed this long before its end at most: room for a backlog of fresh changes to drain first. */
const MAX_REFRESH_LEAD_MS = 10 * 60_000;

/** Minutes of a `PTnH`, `PTnM` or `PTnHmM` duration; undefined for anything else. */
export function sessionMinutes(d: string): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(d);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** True for a duration Graph accepts as expirationDuration (PT5M..PT4H) in the forms above. */
export function isSessionDuration(d: string): boolean {
  const minutes = sessionMinutes(d);
  return minutes !== undefined && minutes >= SESSION_MIN_MINUTES && minutes <= SESSION_MAX_MINUTES;
}

/**
 * How long our setPresence sessions live and when each is refreshed. Only an Available session
 * decays (§2.1); Busy, Away and DoNotDisturb hold until they expire, so they take the configured
 * (long) duration and are refreshed near its end — a keep-alive per agent per ~50 minutes at PT1H
 * instead of one per 4 minutes. The price: a session nobody refreshes or clears any more (a
 * crashed instance that no other takes over) shows for up to the full duration.
 */
export class PresenceSessionPolicy {
  readonly #minutes: number;

  constructor(duration = DEFAULT_SESSION_DURATION) {
    const minutes = sessionMinutes(duration);
    if (minutes === undefined || !isSessionDuration(duration))
      throw new Error(`presence session duration ${duration} is not PT5M..PT4H`);
    this.#minutes = minutes;
  }

  /** expirationDuration of a session showing `p`. */
  duration(p: TeamsPresence): string {
    const minutes = decays(p) ? Math.min(this.#minutes, AVAILABLE_MAX_MINUTES) : this.#minutes;
    return `PT${minutes}M`;
  }

  /** Milliseconds a session showing `p` lives. */
  lifetimeMs(p: TeamsPresence): number {
    return sessionMinutes(this.duration(p))! * 60_000;
  }

  /** When a session showing `p`, written at `at`, is to be written again. */
  refreshAt(p: TeamsPresence, at: number): number {
    const lifetime = this.lifetimeMs(p);
    const beforeEnd = lifetime - Math.min(MAX_REFRESH_LEAD_MS, lifetime / 4);
    return at + (decays(p) ? Math.min(AVAILABLE_REFRESH_MS, beforeEnd) : beforeEnd);
  }
}

function decays(p: TeamsPresence): boolean {
  return p.availability === 'Available';
}
