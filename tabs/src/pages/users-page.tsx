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
import { useState, type ReactNode } from 'react';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { PeoplePicker } from '../components/people-picker.js';
import type { Items, MappingRow } from '../types.js';
import { useApi, useApiClient } from '../use-api.js';
import { AutoMatch } from './auto-match.js';

const name = (r: MappingRow): string =>
  `${r.agent.firstName ?? ''} ${r.agent.lastName ?? ''}`.trim() || r.agent.agentId;

/** Users: mapped and unmapped agents, manual overrides, auto-match preview, CSV import/export. */
export function UsersPage(): ReactNode {
  const api = useApiClient();
  const [rows, reload] = useApi<Items<MappingRow>>('/users');
  const [error, setError] = useState('');
  const [edit, setEdit] = useState<{ agentId: string; value: string } | null>(null);
  const act = (p: Promise<unknown>): void => {
    setError('');
    p.then(
      () => {
        setEdit(null);
        reload();
      },
      (e: Error) => setError(e.message),
    );
  };
  const exportCsv = async (): Promise<void> => {
    const csv = await api.request<string>('GET', '/users/export');
    const a = Object.assign(document.createElement('a'), {
      href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })),
      download: 'presence-sync-users.csv',
    });
    a.click();
  };
  const importCsv = async (file: File): Promise<void> =>
    act(api.request('POST', '/users/import', await file.text(), 'text/csv'));
  return (
    <section aria-labelledby="users-title">
      <Title3 as="h2" id="users-title">
        Users
      </Title3>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '8px 0' }}>
        <Button onClick={() => void exportCsv().catch((e: Error) => setError(e.message))}>Export CSV</Button>
        <label>
          Import CSV{' '}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => e.target.files?.[0] && void importCsv(e.target.files[0])}
          />
        </label>
      </div>
      {error && <ErrorBar title="That did not work" message={error} />}
      <AutoMatch onApplied={reload} />
      <AsyncView state={rows} label="users" isEmpty={(r) => r.items.length === 0} empty="CXone lists no agent yet.">
        {(r) => (
          <>
            <Text role="status">
              {r.items.filter((x) => x.link).length} mapped, {r.items.filter((x) => !x.link).length} unmapped
            </Text>
            <Table aria-label="User mapping" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Agent</TableHeaderCell>
                  <TableHeaderCell>E-mail</TableHeaderCell>
                  <TableHeaderCell>Teams user</TableHeaderCell>
                  <TableHeaderCell>Override</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {r.items.map((row) => (
                  <TableRow key={row.agent.agentId}>
                    <TableCell>{name(row)}</TableCell>
                    <TableCell>{row.agent.email ?? ''}</TableCell>
                    <TableCell>
                      {row.link ? (
                        <>
                          {row.link.teamsUserId} <Badge appearance="tint">{row.link.source}</Badge>
                        </>
                      ) : (
                        <Badge color="warning">Unmapped</Badge>
                      )}
                    </TableCell>
                    <TableCell>
                      {edit?.agentId === row.agent.agentId ? (
                        <PeoplePicker
                          label={`Teams user for ${name(row)}`}
                          onPick={(user) =>
                            act(api.request('PUT', `/users/${row.agent.agentId}/link`, { teamsUserId: user.id }))
                          }
                          onCancel={() => setEdit(null)}
                        />
                      ) : (
                        <Button
                          size="small"
                          onClick={() => setEdit({ agentId: row.agent.agentId, value: row.link?.teamsUserId ?? '' })}
                        >
                          Set link
                        </Button>
                      )}
                      {row.link && (
                        <Button
                          size="small"
                          onClick={() => act(api.request('DELETE', `/users/${row.agent.agentId}/link`))}
                        >
                          Unlink
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </AsyncView>
    </section>
  );
}
