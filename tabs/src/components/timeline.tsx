import { Badge, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { TraceEvent } from '../types.js';

/** Where each hop happens on the way agent app → CXone → rule → Teams/Graph → Teams client and back. */
const STAGE: Record<string, string> = {
  'acd.event': 'CXone',
  'rule.resolved': 'Rule',
  decision: 'Rule',
  'graph.request': 'Teams/Graph',
  'graph.response': 'Teams/Graph',
  'teams.notification': 'Teams client',
  'acd.request': 'CXone',
  'acd.response': 'CXone',
  'reconcile.correction': 'Reconciliation',
  subscription: 'Teams/Graph',
  error: 'Error',
};

const useStyles = makeStyles({
  list: { listStyle: 'none', padding: 0, borderLeft: `2px solid ${tokens.colorNeutralStroke1}` },
  item: {
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    alignItems: 'baseline',
    flexWrap: 'wrap',
  },
});

export function Timeline(props: { events: TraceEvent[] }): ReactNode {
  const styles = useStyles();
  const sorted = [...props.events].sort((a, b) => a.at - b.at);
  return (
    <ol className={styles.list} aria-label="Flow timeline" data-testid="timeline">
      {sorted.map((e) => (
        <li key={e.id} className={styles.item} data-hop={e.hop}>
          <Text font="monospace" size={200}>
            {new Date(e.at).toISOString().slice(11, 23)}
          </Text>
          <Badge appearance="tint" color={e.hop === 'error' ? 'danger' : 'brand'}>
            {STAGE[e.hop] ?? e.hop}
          </Badge>
          <Text weight="semibold">{e.hop}</Text>
          <Text>{e.summary}</Text>
          {e.latencyMs !== undefined && <Text size={200}>+{e.latencyMs} ms</Text>}
          {typeof e.data['reason'] === 'string' && <Text size={200}>reason: {e.data['reason']}</Text>}
        </li>
      ))}
    </ol>
  );
}
