import type { PresenceRule } from './presence-rule.js';
import type { PartnerPlatform } from './tenant.js';

/** An unavailable code of an ACD team; `isAcw` codes can only be set during a contact (cxone-acd.md §4). */
export interface TeamUnavailableCode {
  readonly id: string;
  readonly name: string;
  readonly isAcw?: boolean;
}

/** What rule validation needs to know about the tenant (the application loads it; the domain only reads it). */
export interface RuleValidationContext {
  /** The tenant's ACD teams with the unavailable codes assigned to each. */
  readonly teams: readonly {
    readonly id: string;
    readonly name: string;
    readonly unavailableCodes: readonly TeamUnavailableCode[];
  }[];
  /** The tenant's ACD agents with their team. */
  readonly agents: readonly { readonly id: string; readonly name?: string; readonly teamId: string }[];
  /** The partner platform the tenant has connected. */
  readonly partnerPlatform: PartnerPlatform;
  /** The tenant's other rules. When editing, the rule being edited may be listed: pass its id as `ruleId`. */
  readonly otherRules: readonly PresenceRule[];
  /** Id of the rule being edited (ignored in `otherRules`); absent when creating. */
  readonly ruleId?: string;
}

export const DEBOUNCE_MAX_MS = 60_000;
export const RULE_NAME_MAX = 100;
