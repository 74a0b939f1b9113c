import type { DomainProblem } from './errors.js';
import { acdTargetOfPattern, publishablePresence, publishes, subscribes } from './match.js';
import { ACTIVITIES, AVAILABILITIES, PREFERRED_PRESENCE_PAIRS, SESSION_PRESENCE_PAIRS } from './presence.js';
import type { AcdStatePattern, PresenceMapping, PresenceRuleDraft, TeamsPresencePattern } from './presence-rule.js';
import type { RuleValidationContext } from './validate-context.js';

/**
 * Mapping checks. A mapping is used in every direction the rule has and it can serve: publishing
 * needs a pair setPresence accepts (the `override` policy needs nothing more — decide turns the
 * pair into the preferred-layer pair of the same availability); subscribing needs an ACD state
 * the API can set (Available, or Unavailable with a non-ACW code).
 */
type Path = (string | number)[];
const pairList = (pairs: readonly { availability: string; activity: string }[]): string =>
  pairs.map((p) => `${p.availability}/${p.activity}`).join(', ');
const lower = (s: string | undefined): string => (s ?? '*').toLowerCase();

export function validateMappings(
  draft: PresenceRuleDraft,
  ctx: RuleValidationContext,
  teamIds: readonly string[],
): DomainProblem[] {
  if (draft.mappings.length === 0)
    return [
      {
        code: 'RULE.NO_MAPPINGS',
        message: 'Add at least one mapping between an ACD state and a Teams presence.',
        path: ['mappings'],
      },
    ];
  const problems: DomainProblem[] = [];
  draft.mappings.forEach((m, i) => {
    problems.push(...teamsPatternProblems(m.teams, ['mappings', i, 'teams']));
    problems.push(...codeProblems(m.acd, ['mappings', i, 'acd'], ctx, teamIds));
    problems.push(...usageProblems(draft, m, i, ctx));
  });
  draft.noSyncStates.forEach((p, i) => problems.push(...codeProblems(p, ['noSyncStates', i], ctx, teamIds)));
  return [...problems, ...ambiguityProblems(draft)];
}

function teamsPatternProblems(t: TeamsPresencePattern, path: Path): DomainProblem[] {
  const out: DomainProblem[] = [];
  if (!AVAILABILITIES.some((a) => a.toLowerCase() === t.availability.toLowerCase())) {
    out.push({
      code: 'RULE.PRESENCE_INVALID_PAIR',
      message: `"${t.availability}" is not a Teams availability. Use one of ${AVAILABILITIES.join(', ')}.`,
      path: [...path, 'availability'],
    });
  }
  if (t.activity !== undefined && !ACTIVITIES.some((a) => a.toLowerCase() === t.activity!.toLowerCase())) {
    out.push({
      code: 'RULE.PRESENCE_INVALID_PAIR',
      message: `"${t.activity}" is not a Teams activity. Use one of ${ACTIVITIES.join(', ')}.`,
      path: [...path, 'activity'],
    });
  }
  return out;
}

function codeProblems(
  p: AcdStatePattern,
  path: Path,
  ctx: RuleValidationContext,
  teamIds: readonly string[],
): DomainProblem[] {
  if (p.kind !== 'Unavailable' || p.codeId === undefined) return [];
  const codeId = p.codeId;
  const missing = teamIds.filter(
    (id) => !ctx.teams.find((t) => t.id === id)?.unavailableCodes.some((c) => c.id === codeId),
  );
  if (missing.length === 0) return [];
  const names = missing.map((id) => `"${ctx.teams.find((t) => t.id === id)?.name ?? id}"`).join(', ');
  const who = ctx.teams.flatMap((t) => t.unavailableCodes).find((c) => c.id === codeId)?.name ?? codeId;
  return [
    {
      code: 'RULE.CODE_NOT_ON_TEAM',
      message: `The unavailable code "${who}" is not assigned to team(s) ${names}. Every team this rule covers must have it.`,
      path: [...path, 'codeId'],
    },
  ];
}

function isAcwCode(p: AcdStatePattern, ctx: RuleValidationContext): boolean {
  if (p.kind !== 'Unavailable' || p.codeId === undefined) return false;
  return ctx.teams.some((t) =>
    t.unavailableCodes.some((c) => c.id === (p as { codeId: string }).codeId && c.isAcw === true),
  );
}

function usageProblems(
  draft: PresenceRuleDraft,
  m: PresenceMapping,
  i: number,
  ctx: RuleValidationContext,
): DomainProblem[] {
  const acw = isAcwCode(m.acd, ctx);
  const canPublish = publishablePresence(m.teams) !== null;
  const canSubscribe = acdTargetOfPattern(m.acd) !== null && !acw;
  const pub = canPublish ? null : notPublishable(m.teams, ['mappings', i, 'teams']);
  const sub = canSubscribe ? null : notSettable(m.acd, ['mappings', i, 'acd']);
  if (draft.direction === 'publisher') return pub ? [pub] : [];
  if (draft.direction === 'subscriber') return sub ? [sub] : [];
  // Bi-directional: an ACW code would be tried as a subscriber target, so it is refused outright.
  if (acw && sub) return [sub];
  if (pub && sub)
    return [
      {
        code: 'RULE.MAPPING_UNUSABLE',
        message: `This mapping can be used in neither direction. ${pub.message} ${sub.message}`,
        path: ['mappings', i],
      },
    ];
  return [];
}

function notPublishable(t: TeamsPresencePattern, path: Path): DomainProblem {
  if (t.activity === undefined) {
    return {
      code: 'RULE.PRESENCE_INVALID_PAIR',
      message: `To show a presence in Teams, choose an activity as well as "${t.availability}". Apps can set: ${pairList(SESSION_PRESENCE_PAIRS)}.`,
      path: [...path, 'activity'],
    };
  }
  return {
    code: 'RULE.PRESENCE_NOT_SETTABLE',
    message: `Teams does not let apps set ${t.availability}/${t.activity}. Apps can set: ${pairList(SESSION_PRESENCE_PAIRS)}. (${pairList(PREFERRED_PRESENCE_PAIRS)} can only be chosen by the user.)`,
    path,
  };
}

function notSettable(p: AcdStatePattern, path: Path): DomainProblem {
  const why =
    p.kind === 'Unavailable'
      ? p.codeId === undefined
        ? 'choose which unavailable code to set'
        : 'after-call-work codes can only be used during a contact'
      : `the ACD decides ${p.kind} itself`;
  return {
    code: 'RULE.ACD_TARGET_NOT_SETTABLE',
    message: `A Teams presence can only put an agent into Available or an unavailable code; here ${why}.`,
    path,
  };
}

const acdKey = (p: AcdStatePattern): string =>
  `${p.kind}|${'codeId' in p ? (p.codeId ?? '*') : ''}|${'counterpart' in p ? (p.counterpart ?? '*') : ''}`;

function ambiguityProblems(draft: PresenceRuleDraft): DomainProblem[] {
  const out: DomainProblem[] = [];
  const pubSeen = new Map<string, string>();
  const subSeen = new Map<string, string>();
  draft.mappings.forEach((m, i) => {
    const presence = publishablePresence(m.teams);
    if (publishes(draft) && presence) {
      const value = `${lower(presence.availability)}/${lower(presence.activity)}`;
      const prev = pubSeen.get(acdKey(m.acd));
      if (prev !== undefined && prev !== value)
        out.push({
          code: 'RULE.AMBIGUOUS_PUBLISHER_MAPPING',
          message: `The ACD state ${m.acd.kind} is already mapped to another Teams presence. Each ACD state can show only one presence.`,
          path: ['mappings', i, 'acd'],
        });
      else pubSeen.set(acdKey(m.acd), value);
    }
    const target = acdTargetOfPattern(m.acd);
    if (subscribes(draft) && target) {
      const key = `${lower(m.teams.availability)}/${lower(m.teams.activity)}`;
      const value = target.kind === 'Available' ? 'Available' : target.codeId;
      const prev = subSeen.get(key);
      if (prev !== undefined && prev !== value)
        out.push({
          code: 'RULE.AMBIGUOUS_SUBSCRIBER_MAPPING',
          message: `The Teams presence ${m.teams.availability}/${m.teams.activity ?? 'any activity'} is already mapped to another ACD state. Each Teams presence can set only one ACD state.`,
          path: ['mappings', i, 'teams'],
        });
      else subSeen.set(key, value);
    }
  });
  return out;
}
