import type { DomainProblem } from '../../domain/errors.js';
import type { DirectoryProblem } from './rule-catalog.js';

/** Expected failures of the rule use cases; the HTTP adapter maps each code to a status. */
export type RuleProblem =
  | DirectoryProblem
  | { readonly code: 'RULE.NOT_FOUND'; readonly message: string }
  | { readonly code: 'RULE.VERSION_CONFLICT'; readonly message: string }
  | { readonly code: 'RULE.INVALID'; readonly message: string; readonly problems: readonly DomainProblem[] }
  | { readonly code: 'DRY_RUN.TARGET_NOT_FOUND'; readonly message: string };

export const ruleNotFound = (ruleId: string): RuleProblem => ({
  code: 'RULE.NOT_FOUND',
  message: `No rule ${ruleId} in this tenant.`,
});
