import type { AcdState } from './agent-state.js';
import type { TeamsPresence } from './presence.js';

/** A state the sync may put an agent into on the ACD (Subscriber rules; reference/cxone-acd.md §4). */
export type AcdTarget = { readonly kind: 'Available' } | { readonly kind: 'Unavailable'; readonly codeId: string };

export type PendingSide = 'acd' | 'teams';

/**
 * A subscriber write we hold: what we set, and the state to restore when Teams goes back.
 * `requested`: sent, not shown by the ACD yet (on its way, or kept by CXone until a contact ends).
 * `shown`: the ACD has shown the agent in it.
 */
export interface HeldAcdWrite {
  readonly phase: 'requested' | 'shown';
  readonly target: AcdTarget;
  /** What to restore: the state the first of a run of writes (code switches) replaced. */
  readonly replaced: AcdTarget;
  /** What the ACD showed when we wrote: `replaced`, or our previous code when we switched codes. */
  readonly over: AcdTarget;
  /** When we wrote it (our clock). */
  readonly at: number;
  readonly ruleId: string;
}

/**
 * A write undone while still `requested` (Teams went back first): `replaced` was written back, and
 * the ACD may yet show `target` on its way there. Ends with the next ACD observation.
 */
export interface ReleasedAcdWrite {
  readonly phase: 'released';
  readonly target: AcdTarget;
  readonly at: number;
}

/**
 * Teams went back after the ACD showed the write: `replaced` was written back, and until the ACD
 * reports it the agent is still seen in `target`. Asking for `target` again then is a new write,
 * not "already in state". Ends with the next ACD observation of anything but `target`.
 */
export interface RestoringAcdWrite {
  readonly phase: 'restoring';
  readonly target: AcdTarget;
  readonly replaced: AcdTarget;
  readonly at: number;
}

export type AcdWrite = HeldAcdWrite | ReleasedAcdWrite | RestoringAcdWrite;

/**
 * Everything the engine knows about one agent, persisted between events. `decide` reads it and
 * returns the next one; nothing else writes it.
 */
export interface AgentSyncState {
  readonly agentId: string;
  readonly teamsUserId?: string;
  /** ACD team of the agent (rule resolution and unavailable-code checks). */
  readonly teamId?: string;
  /** Last ACD state seen, with its source time (orders events; stale ones are dropped). */
  readonly acd?: { readonly state: AcdState; readonly sourceTime: number; readonly eventId: string };
  /** Last Teams presence seen (aggregate, as Graph reports it). */
  readonly teams?: {
    readonly presence: TeamsPresence;
    readonly sequenceNumber?: string;
    readonly sourceTime: number;
    readonly eventId: string;
    readonly manualStatus?: boolean;
    /**
     * True when this is what our publication of the moment showed: Teams then shows our session
     * (or one that ties with it). Tells a tie of availability apart (late-echo.ts): a session of
     * the user's that ties with ours hides our next publication of that availability; our own does not.
     */
    readonly ours?: boolean;
  };
  /** What we last asked Teams to show through our app session (null = cleared). Echo suppression. */
  readonly published?: {
    readonly presence: TeamsPresence | null;
    readonly at: number;
    readonly ruleId: string;
    readonly preferred: boolean;
    /**
     * Earlier publications of ours, replaced before Teams showed them back: their notifications
     * may still come (Graph sends presence notifications up to a minute late), and must not pass
     * for something the user did (late-echo.ts). Oldest first, at most LATE_ECHO_MAX.
     */
    readonly lateEchoes?: readonly { readonly presence: TeamsPresence; readonly at: number }[];
  };
  /** Our subscriber write (Teams → ACD) and where it stands in its lifecycle (subscriber-write.ts). */
  readonly acdWritten?: AcdWrite;
  /**
   * A change waiting out the rule's debounce. `sides` says which direction(s) wait: 'acd' = an
   * ACD change to publish, 'teams' = a Teams change to write to the ACD; absent = ['acd'].
   */
  readonly pending?: { readonly dueAt: number; readonly reason: string; readonly sides?: readonly PendingSide[] };
}
