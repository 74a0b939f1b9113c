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
import type { TenantHealth } from '../types.js';
import { useApi } from '../use-api.js';

const COLOR = { ok: 'success', degraded: 'warning', down: 'danger' } as const;
const LABEL = { ok: 'Healthy', degraded: 'Degraded', down: 'Down' } as const;
const REFRESH_MS = 2000;

export const since = (at: number): string => new Date(at).toLocaleString();

/** Health Check: overall status, sync active, each component since when, synced statuses with latency. */
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
            <p>
              <Badge
                data-testid="overall-status"
                data-status={h.status}
                color={COLOR[h.status]}
                appearance="filled"
                role="status"
                aria-live="polite"
              >
                {LABEL[h.status]}
              </Badge>{' '}
              <Text data-testid="sync-active">
                {h.syncActive ? 'Sync active' : 'Sync not active'}: {h.syncDetail}
              </Text>
            </p>
            <Table aria-label="Components" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Component</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Since</TableHeaderCell>
                  <TableHeaderCell>Detail</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {h.components.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={4}>No component has reported yet.</TableCell>
                  </TableRow>
                )}
                {h.components.map((c) => (
                  <TableRow key={c.component} data-testid={`component-${c.component}`}>
                    <TableCell>{c.component}</TableCell>
                    <TableCell>
                      <Badge color={COLOR[c.status]}>{LABEL[c.status]}</Badge>
                    </TableCell>
                    <TableCell>{since(c.since)}</TableCell>
                    <TableCell>{c.detail}</TableCell>
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
  const { activeSyncs, latency } = props.health;
  return (
    <>
      <div style={{ marginTop: 16 }}>
        <Title3 as="h3">Actively synced statuses</Title3>
      </div>
      {activeSyncs.length === 0 ? (
        <Text role="status">Nothing synced in the last day.</Text>
      ) : (
        <Table aria-label="Actively synced statuses" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Direction</TableHeaderCell>
              <TableHeaderCell>Last hour</TableHeaderCell>
              <TableHeaderCell>Last day</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {activeSyncs.map((s) => (
              <TableRow key={`${s.ruleId}-${s.status}-${s.direction}`}>
                <TableCell>{s.status}</TableCell>
                <TableCell>{s.direction}</TableCell>
                <TableCell>{s.lastHour}</TableCell>
                <TableCell>{s.lastDay}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ul aria-label="Latency">
        {latency.map((l) => (
          <li key={l.direction}>
            {l.direction}: {l.count} syncs, p50 {l.p50Ms} ms, p95 {l.p95Ms} ms
          </li>
        ))}
      </ul>
      <VolumeChart bars={activeSyncs.map((s) => ({ label: s.status, value: s.lastHour }))} />
    </>
  );
}
