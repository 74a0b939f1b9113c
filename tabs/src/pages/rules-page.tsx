import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title3,
} from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { AsyncView, ErrorBar } from '../components/async-view.js';
import { RULE_TEMPLATES, emptyDraft } from '../rule-templates.js';
import type { Items, Rule, RuleDraft } from '../types.js';
import { useApi, useApiClient } from '../use-api.js';
import { RuleEditor } from './rule-editor.js';
import { useLookups } from './use-lookups.js';

const DIRECTION = { publisher: 'Publisher', subscriber: 'Subscriber', bidirectional: 'Bi-directional' } as const;

/** Rules: the list (enable, edit, delete) and the editor, started empty or from a template. */
export function RulesPage(): ReactNode {
  const api = useApiClient();
  const [rules, reload] = useApi<Items<Rule>>('/rules');
  const lookups = useLookups();
  const [editing, setEditing] = useState<RuleDraft | Rule | null>(null);
  const [error, setError] = useState('');
  const act = (what: Promise<unknown>): void => {
    setError('');
    what.then(reload, (e: Error) => setError(e.message));
  };

  if (editing) {
    return (
      <AsyncView state={lookups} label="ACD teams and presences">
        {(l) => (
          <RuleEditor
            initial={editing}
            lookups={l}
            rules={rules.status === 'ready' ? rules.value.items : []}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              reload();
            }}
          />
        )}
      </AsyncView>
    );
  }
  return (
    <section aria-labelledby="rules-title">
      <Title3 as="h2" id="rules-title">
        Rules
      </Title3>
      <div style={{ display: 'flex', gap: 8, margin: '8px 0' }}>
        <Button appearance="primary" onClick={() => setEditing(emptyDraft())}>
          New rule
        </Button>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button>From a template</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {RULE_TEMPLATES.map((t) => (
                <MenuItem
                  key={t.id}
                  onClick={() => setEditing(t.build(lookups.status === 'ready' ? lookups.value.teams : []))}
                >
                  {t.title}
                </MenuItem>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
      </div>
      {error && <ErrorBar title="That did not work" message={error} />}
      <AsyncView
        state={rules}
        label="rules"
        isEmpty={(r) => r.items.length === 0}
        empty="No rule yet: create one or start from a template."
      >
        {(r) => (
          <Table aria-label="Rules" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Type</TableHeaderCell>
                <TableHeaderCell>Scope</TableHeaderCell>
                <TableHeaderCell>Enabled</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {r.items.map((rule) => (
                <TableRow key={rule.id}>
                  <TableCell>{rule.name}</TableCell>
                  <TableCell>{DIRECTION[rule.direction]}</TableCell>
                  <TableCell>
                    {rule.scope.kind === 'team'
                      ? `${rule.scope.teamIds.length} team(s)`
                      : `${rule.scope.agentIds.length} user(s)`}
                  </TableCell>
                  <TableCell>
                    <Switch
                      aria-label={`Enable ${rule.name}`}
                      checked={rule.enabled}
                      onChange={(_e, d) =>
                        act(
                          api.request('PUT', `/rules/${rule.id}/enabled`, {
                            enabled: d.checked,
                            version: rule.version,
                          }),
                        )
                      }
                    />
                  </TableCell>
                  <TableCell>
                    <Button size="small" aria-label={`Edit ${rule.name}`} onClick={() => setEditing(rule)}>
                      Edit
                    </Button>{' '}
                    <Button
                      size="small"
                      aria-label={`Delete ${rule.name}`}
                      onClick={() =>
                        window.confirm(`Delete ${rule.name}?`) && act(api.request('DELETE', `/rules/${rule.id}`))
                      }
                    >
                      Delete
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </AsyncView>
    </section>
  );
}
