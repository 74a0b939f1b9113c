import { Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AcdTeam, DryRunAgent, DryRunEffect, Lookups } from '../types.js';
import { presenceLabel } from './mapping-row.js';

const codeName = (teams: AcdTeam[], codeId: string): string =>
  teams.flatMap((t) => t.codes).find((c) => c.id === codeId)?.name ?? codeId;

/** One effect in words: what Teams or CXone would show, and why. */
export function describeEffect(e: DryRunEffect, teams: AcdTeam[]): string {
  switch (e.kind) {
    case 'setTeamsPresence':
      return `Teams shows ${presenceLabel(e.presence)}${e.preferred ? ' (over the status the user set)' : ''} — ${e.reason}`;
    case 'clearTeamsPresence':
      return `Teams presence we set is cleared (Teams shows the user's own status) — ${e.reason}`;
    case 'setAcdState':
      return `CXone state set to ${e.target.kind === 'Unavailable' && e.target.codeId ? `Unavailable: ${codeName(teams, e.target.codeId)}` : e.target.kind} — ${e.reason}`;
    case 'recheckAt':
      return `After the debounce (${new Date(e.at).toLocaleTimeString()}): ${e.reason}`;
    case 'skip':
      return `Nothing changes: ${e.detail} (${e.reason})`;
    default:
      return JSON.stringify(e);
  }
}

/** A debounce answers "wait" twice (a recheck and a DEBOUNCED skip): the recheck says it all. */
const shown = (effects: DryRunEffect[]): DryRunEffect[] =>
  effects.some((e) => e.kind === 'recheckAt')
    ? effects.filter((e) => !(e.kind === 'skip' && e.reason === 'DEBOUNCED'))
    : effects;

/** The dry run: per agent, whether the draft applies and why, and what each side would end up showing. */
export function DryRunResult(props: { rows: DryRunAgent[]; lookups: Lookups }): ReactNode {
  const { teams, agents } = props.lookups;
  return (
    <section aria-label="Dry-run result" data-testid="dry-run">
      <Text weight="semibold">Dry run (nothing was changed)</Text>
      <ul>
        {props.rows.map((r) => {
          const agent = agents.find((a) => a.agentId === r.agentId);
          return (
            <li key={r.agentId}>
              <Text weight="semibold">{agent?.name ? `${agent.name} (${r.agentId})` : r.agentId}</Text>:{' '}
              {r.draftApplies ? 'this rule applies' : 'this rule does not apply'} — {r.explanation}
              {r.decisions.length === 0 && (
                <div>Nothing is known of this agent's current state yet: the rule acts on their next change.</div>
              )}
              {r.decisions.map((d, i) => (
                <div key={i}>
                  {d.side === 'acd' ? 'On the current CXone state' : 'On the current Teams presence'}:{' '}
                  {d.effects.length
                    ? shown(d.effects)
                        .map((e) => describeEffect(e, teams))
                        .join('; ')
                    : 'no effect'}
                </div>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
