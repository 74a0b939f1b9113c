import type { AcdStateEvent } from './agent-state.js';
import type { TeamsPresence, TeamsPresenceEvent } from './presence.js';
import type { PresenceRule } from './presence-rule.js';
import type { AcdTarget, AgentSyncState } from './sync-state.js';

/** Why a decision did nothing. Stable codes: the Log Reader and Health Check group by them. */
export const SKIP_REASONS = [
  'NO_RULE',
  'RULE_DISABLED',
  'SYNC_PAUSED',
  'DIRECTION_NOT_COVERED',
  'NO_MAPPING',
  'NOT_VOICE',
  'NO_SYNC_STATE',
  'STALE_EVENT',
  'DUPLICATE_EVENT',
  'ECHO',
  'ALREADY_IN_STATE',
  'ACD_WINS_ON_CONTACT',
  'AGENT_LOGGED_OUT',
  'MANUAL_STATUS_RESPECTED',
  'DEBOUNCED',
  'NOT_LINKED',
  /** Teams went back (e.g. to Available) but the sync holds no ACD write of its own to undo. */
  'NOTHING_TO_RESTORE',
  /** The agent changed their ACD state themselves after our write: we leave their choice alone. */
  'AGENT_CHANGED_STATE',
  /** The agent's current ACD state could not be put back later (LoggedIn, no code), so we do not replace it. */
  'STATE_NOT_RESTORABLE',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Effect =
  /** Write our app session's presence (setPresence) or, under an `override` policy, the preferred layer. */
  | {
      readonly kind: 'setTeamsPresence';
      readonly presence: TeamsPresence;
      readonly preferred: boolean;
      readonly ruleId: string;
      readonly reason: string;
    }
  /** Remove our app session (clearPresence) / the preferred layer we set. */
  | {
      readonly kind: 'clearTeamsPresence';
      readonly preferred: boolean;
      readonly ruleId: string;
      readonly reason: string;
    }
  | { readonly kind: 'setAcdState'; readonly target: AcdTarget; readonly ruleId: string; readonly reason: string }
  /** Call decide again with a `tick` at `at` (debounce expiry). */
  | { readonly kind: 'recheckAt'; readonly at: number; readonly reason: string }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string };

/** A debounce deadline reached (the engine feeds it back after a `recheckAt`). */
export interface TickEvent {
  readonly source: 'tick';
  readonly tenantId: string;
  readonly agentId: string;
  readonly sourceTime: number;
  readonly eventId: string;
}

export type SyncEvent = AcdStateEvent | TeamsPresenceEvent | TickEvent;

export interface DecideInput {
  /** The agent's effective rule (resolve.ts), or null when none applies. */
  readonly rule: PresenceRule | null;
  readonly agent: AgentSyncState;
  readonly event: SyncEvent;
  /** Epoch ms, from the injected clock. */
  readonly now: number;
  /** False when the tenant paused sync. */
  readonly syncEnabled: boolean;
}

export interface Decision {
  readonly effects: readonly Effect[];
  /** The agent's state after this event, to persist (with the effects) atomically. */
  readonly next: AgentSyncState;
}
