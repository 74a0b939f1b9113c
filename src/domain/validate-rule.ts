import type { DomainProblem } from './errors.js';
import type { PresenceRuleDraft } from './presence-rule.js';
import type { Result } from './result.js';
import { err, ok } from './result.js';
import { DEBOUNCE_MAX_MS, RULE_NAME_MAX } from './validate-context.js';
import type { RuleValidationContext } from './validate-context.js';
import { validateMappings } from './validate-mappings.js';
import { scopedTeamIds, validateScope } from './validate-scope.js';

export type { RuleValidationContext, TeamUnavailableCode } from './validate-context.js';
export { DEBOUNCE_MAX_MS, RULE_NAME_MAX } from './validate-context.js';

/**
 * Checks a rule as an admin wrote it against the tenant's ACD directory and other rules. Returns
 * every problem at once (each with a stable code, a sentence for the admin and a path into the
 * draft), so the tab can mark all offending fields in one go. The draft comes back unchanged on success.
 */
export function validateRule(
  draft: PresenceRuleDraft,
  context: RuleValidationContext,
): Result<PresenceRuleDraft, readonly DomainProblem[]> {
  const problems = [
    ...validateBasics(draft, context),
    ...validateScope(draft, context),
    ...validateMappings(draft, context, scopedTeamIds(draft, context)),
  ];
  return problems.length === 0 ? ok(draft) : err(problems);
}

function validateBasics(draft: PresenceRuleDraft, ctx: RuleValidationContext): DomainProblem[] {
  const out: DomainProblem[] = [];
  const name = draft.name.trim();
  if (name.length === 0) out.push({ code: 'RULE.NAME_REQUIRED', message: 'Give the rule a name.', path: ['name'] });
  else if (name.length > RULE_NAME_MAX)
    out.push({
      code: 'RULE.NAME_TOO_LONG',
      message: `Keep the rule name to ${RULE_NAME_MAX} characters or fewer.`,
      path: ['name'],
    });
  if (draft.partnerPlatform !== ctx.partnerPlatform) {
    out.push({
      code: 'RULE.WRONG_PARTNER_PLATFORM',
      message: `This tenant is connected to ${ctx.partnerPlatform}; a rule for ${draft.partnerPlatform} cannot apply.`,
      path: ['partnerPlatform'],
    });
  }
  if (!Number.isInteger(draft.debounceMs) || draft.debounceMs < 0 || draft.debounceMs > DEBOUNCE_MAX_MS) {
    out.push({
      code: 'RULE.DEBOUNCE_OUT_OF_RANGE',
      message: `The settle time must be a whole number of milliseconds from 0 to ${DEBOUNCE_MAX_MS} (one minute).`,
      path: ['debounceMs'],
    });
  }
  return out;
}
