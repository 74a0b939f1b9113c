import type { Counterpart } from './agent-state.js';
import type { TeamsPresence } from './presence.js';
import type { PartnerPlatform } from './tenant.js';

/**
 * Presence rules (design.md §2). Publisher: ACD → Teams. Subscriber: Teams → ACD.
 * Bi-directional: both, each mapping used in every direction it can be used in.
 */
export const RULE_DIRECTIONS = ['publisher', 'subscriber', 'bidirectional'] as const;
export type RuleDirection = (typeof RULE_DIRECTIONS)[number];

/** A rule applies to ACD teams or to individual ACD agents; a user rule beats a team rule. */
export type RuleScope =
  | { readonly kind: 'team'; readonly teamIds: readonly string[] }
  | { readonly kind: 'user'; readonly agentIds: readonly string[] };

/**
 * Which ACD states a mapping matches. Contact patterns may narrow by counterpart (customer /
 * agent / skill); without it they match every counterpart — agent-to-agent and skill calls
 * included, unlike NICE's product. Only voice contacts ever reach a Teams effect (voice only).
 */
export type AcdStatePattern =
  | { readonly kind: 'Available' }
  /** `codeId` absent = any unavailable code (not after-call work). */
  | { readonly kind: 'Unavailable'; readonly codeId?: string }
  | { readonly kind: 'AfterCallWork' }
  | {
      readonly kind: 'InboundContact' | 'OutboundContact' | 'InboundConsult' | 'OutboundConsult' | 'Dialer';
      readonly counterpart?: Counterpart;
    }
  | { readonly kind: 'LoggedIn' }
  | { readonly kind: 'LoggedOut' };

export type AcdStatePatternKind = AcdStatePattern['kind'];

/**
 * Teams side of a mapping. Publisher use: must be a pair setPresence accepts. Subscriber use:
 * matches what Graph reports; `activity` absent = any activity with that availability.
 */
export interface TeamsPresencePattern {
  readonly availability: TeamsPresence['availability'];
  readonly activity?: TeamsPresence['activity'];
}

export interface PresenceMapping {
  readonly acd: AcdStatePattern;
  readonly teams: TeamsPresencePattern;
}

/**
 * What to do when the agent has set a status by hand in Teams (a user-preferred presence that
 * app sessions cannot move, reference/graph-presence.md §2.4): `respect` leaves it alone and
 * records a skip; `override` writes the preferred layer while the ACD state holds.
 */
export type ManualStatusPolicy = 'respect' | 'override';

export interface PresenceRule {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly partnerPlatform: PartnerPlatform;
  readonly direction: RuleDirection;
  readonly scope: RuleScope;
  readonly mappings: readonly PresenceMapping[];
  readonly enabled: boolean;
  readonly manualStatusPolicy: ManualStatusPolicy;
  /** ACD states that never cause a sync in either direction (e.g. a "Training" code). */
  readonly noSyncStates: readonly AcdStatePattern[];
  /** A change must hold this long before it is published (flap damping); 0 = immediate. */
  readonly debounceMs: number;
  /** Optimistic concurrency: bumped on every change. */
  readonly version: number;
}

/** The input of a rule as an admin writes it (before ids/versions exist). */
export type PresenceRuleDraft = Omit<PresenceRule, 'id' | 'tenantId' | 'version'>;
