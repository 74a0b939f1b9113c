import type { AcdTeam, RuleDraft } from './types.js';

/** Starting points offered by the Rules page and the first-run wizard. */
export interface RuleTemplate {
  readonly id: string;
  readonly title: string;
  build(teams: AcdTeam[]): RuleDraft;
}

const allTeams = (teams: AcdTeam[]) => ({ kind: 'team' as const, teamIds: teams.map((t) => t.teamId) });

export const RULE_TEMPLATES: readonly RuleTemplate[] = [
  {
    id: 'voice-busy',
    title: 'On a voice call → Busy / In a call',
    build: (teams) => ({
      name: 'On a voice call → Busy / In a call',
      direction: 'publisher',
      scope: allTeams(teams),
      enabled: true,
      manualStatusPolicy: 'respect',
      noSyncStates: [],
      debounceMs: 0,
      mappings: [
        { acd: { kind: 'InboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } },
        { acd: { kind: 'OutboundContact' }, teams: { availability: 'Busy', activity: 'InACall' } },
        { acd: { kind: 'Available' }, teams: { availability: 'Available', activity: 'Available' } },
      ],
    }),
  },
  {
    id: 'teams-call-unavailable',
    title: 'Teams call → Unavailable: Teams call',
    build: (teams) => {
      const code = teams.flatMap((t) => t.codes).find((c) => /teams/i.test(c.name)) ?? teams.flatMap((t) => t.codes)[0];
      return {
        name: 'Teams call → Unavailable',
        direction: 'subscriber',
        scope: allTeams(teams),
        enabled: true,
        manualStatusPolicy: 'respect',
        noSyncStates: [],
        debounceMs: 0,
        mappings: [
          {
            acd: code ? { kind: 'Unavailable', codeId: code.id } : { kind: 'Unavailable' },
            teams: { availability: 'Busy', activity: 'InACall' },
          },
        ],
      };
    },
  },
];

export const emptyDraft = (): RuleDraft => ({
  name: '',
  direction: 'publisher',
  scope: { kind: 'team', teamIds: [] },
  enabled: true,
  manualStatusPolicy: 'respect',
  mappings: [],
  noSyncStates: [],
  debounceMs: 0,
});

/**
 * A team follows one team rule, so the wizard merges the chosen templates into one rule: publisher
 * or subscriber alone, bi-directional when both are chosen. A mapping with an unavailable code
 * narrows the scope to the teams that have that code (the rule is refused otherwise).
 */
export function combineTemplates(ids: readonly string[], teams: AcdTeam[]): RuleDraft | null {
  const drafts = RULE_TEMPLATES.filter((t) => ids.includes(t.id)).map((t) => t.build(teams));
  const [first] = drafts;
  if (!first) return null;
  if (drafts.length === 1) return withCodeScope(first, teams);
  return withCodeScope(
    {
      ...first,
      name: 'Voice and Teams calls',
      direction: 'bidirectional',
      mappings: drafts.flatMap((d) => d.mappings),
    },
    teams,
  );
}

function withCodeScope(d: RuleDraft, teams: AcdTeam[]): RuleDraft {
  const codes = d.mappings.map((m) => m.acd.codeId).filter((c): c is string => c !== undefined);
  if (codes.length === 0) return d;
  const having = teams.filter((t) => codes.every((c) => t.codes.some((x) => x.id === c)));
  return { ...d, scope: { kind: 'team', teamIds: having.map((t) => t.teamId) } };
}
