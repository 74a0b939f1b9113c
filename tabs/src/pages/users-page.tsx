import {
  Badge,
  Button,
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
} from '@fluentui/react-components';
import { useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api-client.js';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { PeoplePicker } from '../components/people-picker.js';
import type { Items, MappingRow } from '../types.js';
import { useApi, useApiClient } from '../use-api.js';
import { AutoMatch } from './auto-match.js';

/** Rows per page: a contact centre lists thousands of agents; one page of them renders at once. */
export const USERS_PAGE_SIZE = 50;

const name = (r: MappingRow): string =>
  `${r.agent.firstName ?? ''} ${r.agent.lastName ?? ''}`.trim() || r.agent.agentId;

/** Whether a row matches what the admin typed: agent name or id, e-mail, or the linked user's UPN / id. */
function matches(r: MappingRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [name(r), r.agent.agentId, r.agent.email, r.link?.email, r.link?.teamsUserId].some((v) =>
    v?.toLowerCase().includes(q),
  );
}

/** `/rows/3/teamsUserPrincipalName` → "Row 3, teamsUserPrincipalName". */
function rowProblem(e: { pointer: string; detail: string }): string {
  const [, , row, column] = e.pointer.split('/');
  return `Row ${row ?? '?'}${column && column !== '*' ? `, ${column}` : ''}: ${e.detail}`;
}

/** Users: mapped and unmapped agents, manual overrides, auto-match preview, CSV import/export. */
export function UsersPage(): ReactNode {
  const api = useApiClient();
  const [rows, reload] = useApi<Items<MappingRow>>('/users');
  const [error, setError] = useState<{ message: string; rows: string[] } | null>(null);
  const [edit, setEdit] = useState<{ agentId: string; value: string } | null>(null);
  const [unlinking, setUnlinking] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const act = (p: Promise<unknown>): void => {
    setError(null);
    p.then(
      () => {
        setEdit(null);
        setUnlinking(null);
        reload();
      },
      (e: Error) =>
        setError({
          message: e.message,
          rows: e instanceof ApiError && e.code === 'CSV.INVALID_ROWS' ? e.errors.map(rowProblem) : [],
        }),
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
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', margin: '8px 0', flexWrap: 'wrap' }}>
        <Button onClick={() => void exportCsv().catch((e: Error) => setError({ message: e.message, rows: [] }))}>
          Export CSV
        </Button>
        <label>
          Import CSV{' '}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => e.target.files?.[0] && void importCsv(e.target.files[0])}
          />
        </label>
      </div>
      {error && <ErrorBar title="That did not work" message={error.message} />}
      {error && error.rows.length > 0 && (
        <ul aria-label="Import problems by row" data-testid="import-problems">
          {error.rows.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <AutoMatch onApplied={reload} />
      <AsyncView state={rows} label="users" isEmpty={(r) => r.items.length === 0} empty="CXone lists no agent yet.">
        {(r) => (
          <UserTable
            rows={r.items}
            query={query}
            page={page}
            onQuery={(q) => {
              setQuery(q);
              setPage(0);
            }}
            onPage={setPage}
            renderOverride={(row) => (
              <>
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
                {row.link &&
                  (unlinking === row.agent.agentId ? (
                    <span role="group" aria-label={`Confirm unlinking ${name(row)}`}>
                      <Text size={200}> Unlink {name(row)}? Sync stops for this agent. </Text>
                      <Button
                        size="small"
                        appearance="primary"
                        onClick={() => act(api.request('DELETE', `/users/${row.agent.agentId}/link`))}
                      >
                        Unlink
                      </Button>
                      <Button size="small" onClick={() => setUnlinking(null)}>
                        Keep
                      </Button>
                    </span>
                  ) : (
                    <Button size="small" onClick={() => setUnlinking(row.agent.agentId)}>
                      Unlink…
                    </Button>
                  ))}
              </>
            )}
          />
        )}
      </AsyncView>
    </section>
  );
}

function UserTable(props: {
  rows: MappingRow[];
  query: string;
  page: number;
  onQuery: (q: string) => void;
  onPage: (page: number) => void;
  renderOverride: (row: MappingRow) => ReactNode;
}): ReactNode {
  const { rows, query, page } = props;
  const found = useMemo(() => rows.filter((r) => matches(r, query)), [rows, query]);
  const pages = Math.max(1, Math.ceil(found.length / USERS_PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = found.slice(current * USERS_PAGE_SIZE, (current + 1) * USERS_PAGE_SIZE);
  return (
    <>
      <Text role="status">
        {rows.filter((x) => x.link).length} mapped, {rows.filter((x) => !x.link).length} unmapped
      </Text>
      <Field label="Search agents" style={{ maxWidth: 360 }}>
        <Input
          placeholder="Name, agent id, e-mail or Teams user"
          value={query}
          onChange={(_e, d) => props.onQuery(d.value)}
        />
      </Field>
      <Table aria-label="User mapping" size="small" className="ps-stack">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Agent</TableHeaderCell>
            <TableHeaderCell>E-mail</TableHeaderCell>
            <TableHeaderCell>Teams user</TableHeaderCell>
            <TableHeaderCell>Override</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((row) => (
            <TableRow key={row.agent.agentId}>
              <TableCell data-label="Agent">{name(row)}</TableCell>
              <TableCell data-label="E-mail">{row.agent.email ?? ''}</TableCell>
              <TableCell data-label="Teams user">
                {row.link ? (
                  <>
                    <span title={`Entra object id ${row.link.teamsUserId}`}>
                      {row.link.email ?? row.link.teamsUserId}
                    </span>{' '}
                    <Badge appearance="tint">{row.link.source}</Badge>
                  </>
                ) : (
                  <Badge color="warning">Unmapped</Badge>
                )}
              </TableCell>
              <TableCell data-label="Override">{props.renderOverride(row)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <nav aria-label="Pages of agents" style={{ display: 'flex', gap: 8, alignItems: 'center', marginTop: 8 }}>
        <Button size="small" disabled={current === 0} onClick={() => props.onPage(current - 1)}>
          Previous
        </Button>
        <Text>
          {found.length === 0
            ? `No agent matches “${query.trim()}”`
            : `${current * USERS_PAGE_SIZE + 1}–${current * USERS_PAGE_SIZE + shown.length} of ${found.length}`}
        </Text>
        <Button size="small" disabled={current >= pages - 1} onClick={() => props.onPage(current + 1)}>
          Next
        </Button>
      </nav>
    </>
  );
}
