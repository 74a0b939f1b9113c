import type { AcdState } from './agent-state.js';
import type { TeamsPresence } from './presence.js';

/** A state the sync may put an agent into on the ACD (Subscriber rules; reference/cxone-acd.md §4). */
export type AcdTarget = { readonly kind: 'Available' } | { readonly kind: 'Unavailable'; readonly codeId: string };

export type PendingSide = 'acd' | 'teams';

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
  };
  /** What we last asked Teams to show through our app session (null = cleared). Echo suppression. */
  readonly published?: {
    readonly presence: TeamsPresence | null;
    readonly at: number;
    readonly ruleId: string;
    readonly preferred: boolean;
  };
  /** A Subscriber write we made: what we set and the ACD state it replaced, to restore exactly that. */
  readonly acdWritten?: {
    readonly target: AcdTarget;
    readonly replaced: AcdTarget;
    readonly at: number;
    readonly ruleId: string;
    /**
     * What the ACD showed when we wrote: `replaced`, or our previous code when we switched codes.
     * Absent in states stored before it existed (then `replaced`).
     */
    readonly over?: AcdTarget;
  };
  /**
   * A subscriber write undone before the ACD showed it (Teams went back first): when the ACD
   * reports it late, that is our own write arriving, not a state the agent chose, and the restore
   * written after it follows. Forgotten with the next ACD observation. `at`: when we wrote it.
   */
  readonly acdReleased?: { readonly target: AcdTarget; readonly at: number };
  /**
   * A change waiting out the rule's debounce. `sides` says which direction(s) wait: 'acd' = an
   * ACD change to publish, 'teams' = a Teams change to write to the ACD; absent = ['acd'].
   */
  readonly pending?: { readonly dueAt: number; readonly reason: string; readonly sides?: readonly PendingSide[] };
}
