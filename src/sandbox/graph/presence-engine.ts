/**
 * One user's presence as Graph computes it (reference graph-presence.md §2.1, §8.3): Teams
 * client sessions, app sessions keyed by sessionId (with expiry and Available decay), and the
 * user-preferred layer, aggregated as preferred (only while ≥1 session exists) > DND > Busy >
 * Available > Away; no session at all shows Offline/Offline.
 */
export interface PresencePair {
  readonly availability: string;
  readonly activity: string;
}

interface AppSession extends PresencePair {
  readonly setAt: number;
  readonly expiresAt: number;
}

interface Preferred extends PresencePair {
  readonly expiresAt: number;
}

export interface StatusMessage {
  readonly message: { readonly content: string; readonly contentType: string };
  readonly expiryDateTime?: { readonly dateTime: string; readonly timeZone: string };
  readonly publishedDateTime: string;
}

const FIVE_MIN = 5 * 60_000;
const RANK: Record<string, number> = {
  DoNotDisturb: 4,
  Busy: 3,
  BusyIdle: 3,
  Available: 2,
  AvailableIdle: 2,
  Away: 1,
  BeRightBack: 1,
};

export class UserPresence {
  readonly clientSessions = new Map<string, PresencePair>();
  readonly #appSessions = new Map<string, AppSession>();
  #preferred: Preferred | undefined;
  statusMessage: StatusMessage | undefined;
  outOfOffice = false;
  #aggregate: PresencePair = { availability: 'Offline', activity: 'Offline' };
  #sequence = 0;

  /**
   * `generation` counts the emulator's starts (kept in its state directory): it leads the
   * sequenceNumber, so versions issued after a restart sort after every earlier one and never repeat.
   */
  constructor(
    readonly userId: string,
    private readonly generation = 0,
  ) {}

  get sequenceNumber(): string {
    return `C${String(this.generation).padStart(6, '0')}${String(this.#sequence).padStart(12, '0')}`;
  }

  /** A change outside the aggregate (the status message): a new version all the same. */
  bump(): void {
    this.#sequence += 1;
  }

  get current(): PresencePair {
    return this.#aggregate;
  }

  hasAppSession(sessionId: string, now: number): boolean {
    const s = this.#appSessions.get(sessionId);
    return s !== undefined && s.expiresAt > now;
  }

  setAppSession(sessionId: string, pair: PresencePair, now: number, durationMs: number): void {
    this.#appSessions.set(sessionId, {
      availability: pair.availability,
      activity: pair.activity,
      setAt: now,
      expiresAt: now + durationMs,
    });
  }

  clearAppSession(sessionId: string): boolean {
    return this.#appSessions.delete(sessionId);
  }

  setPreferred(pair: PresencePair | undefined, now: number, durationMs = Number.POSITIVE_INFINITY): void {
    this.#preferred = pair
      ? { availability: pair.availability, activity: pair.activity, expiresAt: now + durationMs }
      : undefined;
  }

  /** Recompute the aggregate at `now`; true when it changed (the sequenceNumber then moves on). */
  evaluate(now: number): boolean {
    const next = this.#compute(now);
    if (next.availability === this.#aggregate.availability && next.activity === this.#aggregate.activity) return false;
    this.#aggregate = next;
    this.#sequence += 1;
    return true;
  }

  #compute(now: number): PresencePair {
    for (const [id, s] of this.#appSessions) if (s.expiresAt <= now) this.#appSessions.delete(id);
    if (this.#preferred && this.#preferred.expiresAt <= now) this.#preferred = undefined;
    const sessions = [...this.clientSessions.values(), ...[...this.#appSessions.values()].map((s) => decay(s, now))];
    if (sessions.length === 0) return { availability: 'Offline', activity: 'Offline' };
    if (this.#preferred) return { availability: this.#preferred.availability, activity: this.#preferred.activity };
    const top = sessions.reduce((best, s) => ((RANK[s.availability] ?? 0) > (RANK[best.availability] ?? 0) ? s : best));
    return { availability: top.availability, activity: top.activity };
  }

  /** The Graph presence resource; `self` readers also see the status message's timestamps (§1.1). */
  toResource(self: boolean): Record<string, unknown> {
    const msg = this.statusMessage;
    const statusMessage = msg ? (self ? msg : { message: msg.message }) : null;
    return {
      id: this.userId,
      availability: this.#aggregate.availability,
      activity: this.#aggregate.activity,
      outOfOfficeSettings: { message: null, isOutOfOffice: this.outOfOffice },
      statusMessage,
      sequenceNumber: this.sequenceNumber,
      workLocation: { workLocationType: 'unspecified', source: 'none', placeId: null },
    };
  }
}

/**
 * README "Presence sessions": an Available app session not refreshed for 5 min fades to
 * Available/AvailableInactive, 5 min later to Away/Away (setPresence, "Timeout, expiration, and keep alive").
 */
function decay(s: AppSession, now: number): PresencePair {
  if (s.availability !== 'Available') return s;
  const idle = now - s.setAt;
  if (idle >= 2 * FIVE_MIN) return { availability: 'Away', activity: 'Away' };
  if (idle >= FIVE_MIN) return { availability: 'Available', activity: 'AvailableInactive' };
  return s;
}
