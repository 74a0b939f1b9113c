import type { Rule, RuleDraft } from './types.js';

/**
 * Every field of a rule the API takes (api-schemas.ts ruleDraftSchema). The editor sends all of
 * them, so a field it does not show is stored as it was instead of falling back to its default.
 */
export const RULE_DRAFT_FIELDS = [
  'name',
  'partnerPlatform',
  'direction',
  'scope',
  'mappings',
  'enabled',
  'manualStatusPolicy',
  'noSyncStates',
  'debounceMs',
] as const satisfies readonly (keyof RuleDraft)[];

/** The body of POST /rules (and, with `version`, PUT /rules/:id) for a draft or a stored rule. */
export function ruleBody(draft: RuleDraft | Rule): Partial<RuleDraft> {
  const body: Record<string, unknown> = {};
  for (const field of RULE_DRAFT_FIELDS) if (draft[field] !== undefined) body[field] = draft[field];
  return body as Partial<RuleDraft>;
}

/** A draft to edit from a rule as the API returned it (fields an older API left out get their defaults). */
export function draftOf(rule: Rule | RuleDraft): RuleDraft {
  return { ...rule, noSyncStates: rule.noSyncStates ?? [], debounceMs: rule.debounceMs ?? 0 };
}

/** Another rule that already claims a team or an agent this draft claims (the API refuses it on Save). */
export interface RuleConflict {
  readonly kind: 'team' | 'user';
  readonly id: string;
  readonly rival: string;
}

/** The same check as the domain's validate-scope: one team rule per team, one user rule per agent. */
export function ruleConflicts(draft: RuleDraft, ruleId: string | null, others: readonly Rule[]): RuleConflict[] {
  const ids = draft.scope.kind === 'team' ? draft.scope.teamIds : draft.scope.agentIds;
  const out: RuleConflict[] = [];
  for (const id of ids) {
    const rival = others.find(
      (r) =>
        r.id !== ruleId &&
        r.scope.kind === draft.scope.kind &&
        (r.scope.kind === 'team' ? r.scope.teamIds : r.scope.agentIds).includes(id),
    );
    if (rival) out.push({ kind: draft.scope.kind, id, rival: rival.name });
  }
  return out;
}
