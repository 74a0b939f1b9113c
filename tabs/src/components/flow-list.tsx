import { Badge, Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, type ReactNode } from 'react';
import { isErrorHop, notShownReason, type Flow } from '../flows.js';
import { clockTime, since } from '../local-time.js';
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
  ownership: 'Sync instance',
  error: 'Error',
};

const useStyles = makeStyles({
  flows: {
    listStyle: 'none',
    padding: 0,
    margin: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  flow: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: 0,
  },
  flowError: { borderLeft: `4px solid ${tokens.colorPaletteRedBorder2}` },
  toggle: {
    width: '100%',
    justifyContent: 'flex-start',
    textAlign: 'start',
    whiteSpace: 'normal',
    height: 'auto',
    minWidth: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    fontWeight: tokens.fontWeightRegular,
  },
  title: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'baseline', minWidth: 0 },
  hops: {
    listStyle: 'none',
    margin: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`,
    padding: 0,
    borderLeft: `2px solid ${tokens.colorNeutralStroke1}`,
  },
  hop: {
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    alignItems: 'baseline',
    flexWrap: 'wrap',
    overflowWrap: 'anywhere',
    minWidth: 0,
  },
  flag: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
});

/** Why a hop went wrong or is worth a second look, when the engine said so in its data. */
function hopFlags(e: TraceEvent): string[] {
  const flags: string[] = [];
  const failure = e.data['failure'];
  if (failure && typeof failure === 'object' && 'message' in failure && typeof failure.message === 'string')
    flags.push(failure.message);
  // The engine may already say it in the summary; the reason is then not repeated.
  const hidden = notShownReason(e);
  if (hidden !== undefined && !e.summary.includes(hidden)) flags.push(`Teams cannot show it: ${hidden}`);
  return flags;
}

function Hop(props: { e: TraceEvent }): ReactNode {
  const styles = useStyles();
  const { e } = props;
  const error = isErrorHop(e);
  return (
    <li
      className={styles.hop}
      data-hop={e.hop}
      data-error={error || undefined}
      data-not-shown={notShownReason(e) !== undefined || undefined}
    >
      <Text font="monospace" size={200}>
        {clockTime(e.at)}
      </Text>
      <Badge appearance="tint" color={error ? 'danger' : 'brand'}>
        {STAGE[e.hop] ?? e.hop}
      </Badge>
      <Text weight="semibold">{e.hop}</Text>
      <Text>{e.summary}</Text>
      {e.latencyMs !== undefined && <Text size={200}>+{e.latencyMs} ms</Text>}
      {typeof e.data['reason'] === 'string' && <Text size={200}>reason: {e.data['reason']}</Text>}
      {hopFlags(e).map((f) => (
        <Text key={f} size={200} className={styles.flag}>
          {f}
        </Text>
      ))}
    </li>
  );
}

/**
 * Flows, newest first; each opens to its hops in the order they happened. `follow` keeps the newest
 * flow in view as the live tail adds to it.
 */
export function FlowList(props: {
  flows: Flow[];
  open: ReadonlySet<string>;
  onToggle: (traceId: string) => void;
  follow: boolean;
}): ReactNode {
  const styles = useStyles();
  const newest = useRef<HTMLLIElement>(null);
  const head = props.flows[0];
  const headKey = head ? `${head.traceId}:${head.hops.length}` : '';
  useEffect(() => {
    if (props.follow && headKey) newest.current?.scrollIntoView?.({ block: 'nearest' });
  }, [props.follow, headKey]);
  return (
    <ol className={styles.flows} aria-label="Flows, newest first" data-testid="flows">
      {props.flows.map((f, i) => {
        const expanded = props.open.has(f.traceId);
        const first = f.hops[0];
        const last = f.hops[f.hops.length - 1];
        const hopsId = `hops-${f.traceId.replace(/[^\w-]/g, '_')}`;
        return (
          <li
            key={f.traceId}
            ref={i === 0 ? newest : undefined}
            className={f.hasError ? `${styles.flow} ${styles.flowError}` : styles.flow}
            data-trace={f.traceId}
            data-error={f.hasError || undefined}
            data-write={f.hasWrite || undefined}
          >
            <Button
              appearance="subtle"
              className={styles.toggle}
              aria-expanded={expanded}
              aria-controls={hopsId}
              onClick={() => props.onToggle(f.traceId)}
            >
              <span className={styles.title}>
                <Text weight="semibold">{since(f.startedAt)}</Text>
                <Text>{first?.summary}</Text>
                {last && last !== first && <Text>→ {last.summary}</Text>}
                <Text size={200}>
                  {f.hops.length} {f.hops.length === 1 ? 'hop' : 'hops'}
                  {f.lastAt > f.startedAt ? `, ${f.lastAt - f.startedAt} ms` : ''}
                </Text>
                {f.hasError && (
                  <Badge appearance="filled" color="danger">
                    Error
                  </Badge>
                )}
                {f.notShown && (
                  <Badge appearance="tint" color="warning">
                    Not shown in Teams
                  </Badge>
                )}
                {f.hasWrite && (
                  <Badge appearance="tint" color="informative">
                    Wrote
                  </Badge>
                )}
              </span>
            </Button>
            <ol
              id={hopsId}
              hidden={!expanded}
              className={styles.hops}
              aria-label={`Hops of the flow at ${since(f.startedAt)}`}
              data-testid="timeline"
            >
              {f.hops.map((e) => (
                <Hop key={e.id} e={e} />
              ))}
            </ol>
          </li>
        );
      })}
    </ol>
  );
}
