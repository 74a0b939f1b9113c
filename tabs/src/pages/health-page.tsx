import {
  Badge,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
} from '@fluentui/react-components';
import { useEffect, type ReactNode } from 'react';
import { AsyncView } from '../components/async-view.js';
import { VolumeChart } from '../components/volume-chart.js';
import { since } from '../local-time.js';
import type { TenantHealth } from '../types.js';
import { useApi } from '../use-api.js';

const COLOR = { ok: 'success', degraded: 'warning', down: 'danger' } as const;
const LABEL = { ok: 'Healthy', degraded: 'Degraded', down: 'Down' } as const;
const HEADLINE_COLOR = { syncing: 'success', degraded: 'warning', stopped: 'danger' } as const;
const DIRECTION: Readonly<Record<string, string>> = {
  'acd-to-teams': 'CXone → Teams',
  'teams-to-acd': 'Teams → CXone',
};
const REFRESH_MS = 2000;

/** The one line that answers "is it syncing?": syncing, degraded or stopped, and why. */
function Headline(props: { h: TenantHealth }): ReactNode {
  const { h } = props;
  const head = h.headline ?? {
    state: h.syncActive ? (h.status === 'ok' ? 'syncing' : 'degraded') : 'stopped',
    title: h.syncActive ? (h.status === 'ok' ? 'Syncing' : 'Sync degraded') : 'Sync stopped',
    why: h.syncDetail,
  };
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', margin: '12px 0' }}>
      <Badge
        data-testid="overall-status"
        data-status={h.status}
        data-state={head.state}
        color={HEADLINE_COLOR[head.state]}
        appearance="filled"
        role="status"
        aria-live="polite"
        size="large"
      >
        {head.title}
      </Badge>
      <Text data-testid="headline-why">{head.why}</Text>
    </div>
  );
}

/** Health Check: the headline, failing components first with what to do, synced statuses, a per-minute chart. */
export function HealthPage(): ReactNode {
  const [health, reload] = useApi<TenantHealth>('/health');
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section aria-labelledby="health-title">
      <Title3 as="h2" id="health-title">
        Health Check
      </Title3>{' '}
      <Button size="small" onClick={reload}>
        Refresh
      </Button>
      <AsyncView state={health} label="health">
        {(h) => (
          <>
            <Headline h={h} />
            <Table aria-label="Components" size="small" className="ps-stack">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Component</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Since</TableHeaderCell>
                  <TableHeaderCell>Last success</TableHeaderCell>
                  <TableHeaderCell>Detail</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {h.components.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={5}>No component has reported yet.</TableCell>
                  </TableRow>
                )}
                {h.components.map((c) => (
                  <TableRow key={c.component} data-testid={`component-${c.component}`}>
                    <TableCell data-label="Component">{c.label ?? c.component}</TableCell>
                    <TableCell data-label="Status">
                      <Badge color={COLOR[c.status]}>{LABEL[c.status]}</Badge>
                    </TableCell>
                    <TableCell data-label="Since">{since(c.since)}</TableCell>
                    <TableCell data-label="Last success">{c.lastSuccess ? since(c.lastSuccess) : '—'}</TableCell>
                    <TableCell data-label="Detail">
                      {c.detail}
                      {c.status !== 'ok' && c.action && (
                        <>
                          <br />
                          <Text weight="semibold">What to do: </Text>
                          {c.action}
                        </>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <SyncedStatuses health={h} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function SyncedStatuses(props: { health: TenantHealth }): ReactNode {
  const { activeSyncs, latency, perMinute, notShown } = props.health;
  return (
    <>
      <div style={{ marginTop: 16 }}>
        <Title3 as="h3">Actively synced statuses</Title3>
      </div>
      {activeSyncs.length === 0 ? (
        <Text role="status">Nothing synced in the last day.</Text>
      ) : (
        <Table aria-label="Actively synced statuses" size="small" className="ps-stack">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Rule</TableHeaderCell>
              <TableHeaderCell>Direction</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Last hour</TableHeaderCell>
              <TableHeaderCell>Last day</TableHeaderCell>
              <TableHeaderCell>Last sync</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {activeSyncs.map((s) => (
              <TableRow key={`${s.ruleId}-${s.status}-${s.direction}`}>
                <TableCell data-label="Rule">{s.ruleName ?? s.ruleId}</TableCell>
                <TableCell data-label="Direction">
                  {s.directionLabel ?? DIRECTION[s.direction] ?? s.direction}
                </TableCell>
                <TableCell data-label="Status">{s.statusLabel ?? s.status}</TableCell>
                <TableCell data-label="Last hour">{s.lastHour}</TableCell>
                <TableCell data-label="Last day">{s.lastDay}</TableCell>
                <TableCell data-label="Last sync">{since(s.lastAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ul aria-label="Latency">
        {latency.map((l) => (
          <li key={l.direction}>
            {DIRECTION[l.direction] ?? l.direction}: {l.count} syncs, p50 {l.p50Ms} ms, p95 {l.p95Ms} ms
          </li>
        ))}
      </ul>
      {notShown && notShown.lastDay > 0 && (
        <Text role="status" data-testid="not-shown">
          {notShown.lastHour} presence writes in the last hour ({notShown.lastDay} in the last day) that Teams could not
          show
          {notShown.latest &&
            `; latest ${notShown.latest.agentId ? `for agent ${notShown.latest.agentId} ` : ''}(${notShown.latest.status}) ${since(notShown.latest.at)}: ${notShown.latest.reason}`}
          .
        </Text>
      )}
      {perMinute && <VolumeChart minutes={perMinute} />}
    </>
  );
}
