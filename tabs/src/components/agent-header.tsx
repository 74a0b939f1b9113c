import { MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { since } from '../local-time.js';
import type { AgentOverview, Direction } from '../types.js';

const DIRECTION: Readonly<Record<Direction, string>> = {
  publisher: 'Publisher, CXone → Teams',
  subscriber: 'Subscriber, Teams → CXone',
  bidirectional: 'Bi-directional',
};
const LINKED_BY = {
  auto: 'linked by auto-match',
  manual: 'linked by an admin',
  import: 'linked by CSV import',
} as const;

const useStyles = makeStyles({
  box: {
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    '@media (max-width: 480px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** Who the flows below belong to: agent, team, Teams user, what each side shows now, and the rule and why. */
export function AgentHeader(props: { agent: AgentOverview }): ReactNode {
  const styles = useStyles();
  const a = props.agent;
  const row = (term: string, id: string, value: ReactNode): ReactNode => (
    <>
      <dt className={styles.term}>{term}</dt>
      <dd className={styles.value} data-testid={`agent-${id}`}>
        {value}
      </dd>
    </>
  );
  const muted = (text: string): ReactNode => <span className={styles.muted}>{text}</span>;
  return (
    <section className={styles.box} aria-labelledby="agent-title" data-testid="agent-header">
      <Text as="h3" size={400} weight="semibold" id="agent-title">
        {a.name ?? a.agentId}
      </Text>
      <dl className={styles.list}>
        {row('Agent', 'id', `${a.agentId}${a.email ? ` · ${a.email}` : ''}`)}
        {row('Team', 'team', a.team ? `${a.team.teamName ?? a.team.teamId} (${a.team.teamId})` : muted('unknown'))}
        {row(
          'Teams user',
          'teams-user',
          a.teamsUser
            ? `${a.teamsUser.email ?? a.teamsUser.id}${a.teamsUser.email ? ` (${a.teamsUser.id})` : ''}, ${LINKED_BY[a.teamsUser.linkedBy]}`
            : muted('not linked: Teams presence is not synced for this agent (link them on the Users page)'),
        )}
        {row(
          'CXone state',
          'acd',
          a.acd ? `${a.acd.label} since ${since(a.acd.since)}` : muted('not seen by the sync yet'),
        )}
        {row(
          'Teams presence',
          'teams',
          a.teams
            ? `${a.teams.label} since ${since(a.teams.since)}${a.teams.manual ? ' (set by the user in Teams)' : ''}`
            : muted('not seen by the sync yet'),
        )}
        {a.published && row('Last set by the sync', 'published', `${a.published.label} at ${since(a.published.at)}`)}
        {row(
          'Rule',
          'rule',
          a.rule ? (
            <>
              {a.rule.name} ({DIRECTION[a.rule.direction]})
              <br />
              <span className={styles.muted}>{a.why}</span>
            </>
          ) : (
            <>
              No rule applies
              <br />
              <span className={styles.muted}>{a.why}</span>
            </>
          ),
        )}
      </dl>
      {!a.syncEnabled && (
        <MessageBar intent="warning">
          <MessageBarBody>
            Sync is switched off for your organisation: no rule acts until it is on again.
          </MessageBarBody>
        </MessageBar>
      )}
      {a.gaps.length > 0 && (
        <ul aria-label="Not known" className={styles.muted} style={{ margin: 0 }}>
          {a.gaps.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
