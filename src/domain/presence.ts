/**
 * The Teams side: Graph presence (reference/graph-presence.md §1–2). Three vocabularies, kept
 * apart on purpose: what Graph may *report*, what an app may set with setPresence (its own
 * session), and what setUserPreferredPresence accepts.
 */
export const AVAILABILITIES = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const ACTIVITIES = [
  'Available',
  // setPresence: an Available app session not refreshed for 5 minutes reads Available/AvailableInactive.
  'AvailableInactive',
  'Away',
  'BeRightBack',
  'Busy',
  'DoNotDisturb',
  'InACall',
  'InAConferenceCall',
  'Inactive',
  'InAMeeting',
  'Offline',
  'OffWork',
  'OutOfOffice',
  'PresenceUnknown',
  'Presenting',
  'UrgentInterruptionsOnly',
] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** A presence as read from Graph. Unknown future values are kept as strings, not rejected (§1.2). */
export interface TeamsPresence {
  readonly availability: Availability | (string & {});
  readonly activity: Activity | (string & {});
}

/** setPresence (app session) accepts exactly these pairs (§2.2). */
export const SESSION_PRESENCE_PAIRS: readonly TeamsPresence[] = Object.freeze([
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InACall' },
  { availability: 'Busy', activity: 'InAConferenceCall' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'DoNotDisturb', activity: 'Presenting' },
]);

/** setUserPreferredPresence accepts exactly these pairs (§2.4). */
export const PREFERRED_PRESENCE_PAIRS: readonly TeamsPresence[] = Object.freeze([
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'Busy' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'Offline', activity: 'OffWork' },
]);

export const samePresence = (a: TeamsPresence, b: TeamsPresence): boolean =>
  a.availability.toLowerCase() === b.availability.toLowerCase() &&
  a.activity.toLowerCase() === b.activity.toLowerCase();

export const isSessionSettable = (p: TeamsPresence): boolean => SESSION_PRESENCE_PAIRS.some((q) => samePresence(p, q));
export const isPreferredSettable = (p: TeamsPresence): boolean =>
  PREFERRED_PRESENCE_PAIRS.some((q) => samePresence(p, q));

/**
 * Where an availability stands among sessions in the aggregate (§2.1: DoNotDisturb > Busy >
 * Available > Away); the idle variants stand with their base, anything else below them all.
 */
const SESSION_RANK: Readonly<Record<string, number>> = {
  donotdisturb: 4,
  busy: 3,
  busyidle: 3,
  available: 2,
  availableidle: 2,
  away: 1,
  berightback: 1,
};

/** A presence a session can show (it has a place in the session ranking; Offline and unknown do not). */
export const ranked = (p: TeamsPresence): boolean => SESSION_RANK[p.availability.toLowerCase()] !== undefined;

/**
 * Whether a session showing `a` keeps the aggregate on `a` while another session shows `b`:
 * then a change of `b` (ours) is invisible in Teams, and `a` ending is what Teams will report.
 */
export const outranks = (a: TeamsPresence, b: TeamsPresence): boolean =>
  (SESSION_RANK[a.availability.toLowerCase()] ?? 0) > (SESSION_RANK[b.availability.toLowerCase()] ?? 0);

/** A presence change observed on Teams (a Graph change notification or a reconciliation read). */
export interface TeamsPresenceEvent {
  readonly source: 'teams';
  readonly tenantId: string;
  /** The ACD agent linked to this Teams user (the engine resolves it before deciding). */
  readonly agentId: string;
  readonly teamsUserId: string;
  readonly presence: TeamsPresence;
  /** Graph sequenceNumber: lexicographically ordered (§1.1), trusted only when plausible (presence-version.ts). */
  readonly sequenceNumber?: string;
  /** Epoch ms when observed (Graph gives no change time; the notification's arrival time, or the read's). */
  readonly sourceTime: number;
  /**
   * True when the presence was read from Graph at `sourceTime` (reconciliation), not notified:
   * it is what Graph holds now, so it replaces whatever we hold that was observed before it,
   * whatever sequence number that carries.
   */
  readonly read?: boolean;
  readonly eventId: string;
  /**
   * True/false when the engine knows whether the user set this status by hand (a user-preferred
   * presence); absent = unknown, and the domain's heuristic decides (manual-status.ts).
   */
  readonly manualStatus?: boolean;
}
