/**
 * The stable error catalogue of the domain. A code never changes meaning once shipped: the tab,
 * the bot and support runbooks key on it. Messages are written for a tenant admin.
 */
export const DOMAIN_ERROR_CODES = [
  'RULE.NAME_REQUIRED',
  'RULE.SCOPE_EMPTY',
  'RULE.NO_MAPPINGS',
  'RULE.UNKNOWN_TEAM',
  'RULE.UNKNOWN_AGENT',
  'RULE.CODE_NOT_ON_TEAM',
  'RULE.AMBIGUOUS_SUBSCRIBER_MAPPING',
  'RULE.AMBIGUOUS_PUBLISHER_MAPPING',
  'RULE.AGENT_CLAIMED_TWICE',
  'RULE.TEAM_CLAIMED_TWICE',
  'RULE.PRESENCE_NOT_SETTABLE',
  'RULE.PRESENCE_INVALID_PAIR',
  'RULE.ACD_TARGET_NOT_SETTABLE',
  'RULE.WRONG_PARTNER_PLATFORM',
  'RULE.DEBOUNCE_OUT_OF_RANGE',
  'RULE.NAME_TOO_LONG',
  'RULE.DUPLICATE_SCOPE_ENTRY',
  'RULE.MAPPING_UNUSABLE',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** One validation problem; `path` points into the offending input (e.g. `mappings.2.acd.codeId`). */
export interface DomainProblem {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

/** Thrown only for programming errors inside the domain (an impossible state), never for bad input. */
export class DomainInvariantError extends Error {
  readonly code = 'DOMAIN.INVARIANT';
  constructor(message: string) {
    super(message);
    this.name = 'DomainInvariantError';
  }
}
