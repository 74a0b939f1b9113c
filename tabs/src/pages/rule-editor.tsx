import { Button, Field, Input, Radio, RadioGroup, Select, Spinner, Text, Title3 } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api-client.js';
import { ErrorBar } from '../components/async-view.js';
import { MappingRow, teamsChoices } from '../components/mapping-row.js';
import { ScopePicker } from '../components/scope-picker.js';
import type { AcdAgentView, AcdTeam, DryRunAgent, Presences, Rule, RuleDraft } from '../types.js';
import { useApiClient } from '../use-api.js';

export interface Lookups {
  teams: AcdTeam[];
  agents: AcdAgentView[];
  presences: Presences;
}

const DIRECTIONS = [
  ['publisher', 'Publisher (CXone → Teams)'],
  ['subscriber', 'Subscriber (Teams → CXone)'],
  ['bidirectional', 'Bi-directional'],
] as const;

const toBody = (d: RuleDraft) => ({
  name: d.name,
  direction: d.direction,
  scope: d.scope,
  mappings: d.mappings,
  enabled: d.enabled,
  manualStatusPolicy: d.manualStatusPolicy,
});

/** Edit a rule; a dry-run shows what it would do to an agent right now before it is saved. */
export function RuleEditor(props: {
  initial: RuleDraft | Rule;
  lookups: Lookups;
  onSaved: (r: Rule) => void;
  onCancel: () => void;
}): ReactNode {
  const api = useApiClient();
  const [draft, setDraft] = useState<RuleDraft>(props.initial);
  const [target, setTarget] = useState(props.lookups.agents[0]?.agentId ?? '');
  const [dryRun, setDryRun] = useState<DryRunAgent[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const existing = 'id' in props.initial ? props.initial : null;
  const { teams, agents, presences } = props.lookups;
  // Codes are offered only when every team the rule covers has them (the API refuses the rest).
  const scope = draft.scope;
  const teamIds =
    scope.kind === 'team'
      ? scope.teamIds
      : agents.filter((a) => scope.agentIds.includes(a.agentId)).map((a) => a.teamId);
  const scopedTeams = teams.filter((t) => teamIds.includes(t.teamId));
  const change = (d: RuleDraft): void => {
    setDraft(d);
    setDryRun(null);
  };

  const run = async (what: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', (e as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const preview = () =>
    run(async () =>
      setDryRun(
        await api.request<DryRunAgent[]>('POST', '/rules/dry-run', {
          rule: toBody(draft),
          target: { kind: 'agent', agentId: target },
          ...(existing ? { ruleId: existing.id } : {}),
        }),
      ),
    );
  const save = () =>
    run(async () =>
      props.onSaved(
        existing
          ? await api.request<Rule>('PUT', `/rules/${existing.id}`, { ...toBody(draft), version: existing.version })
          : await api.request<Rule>('POST', '/rules', toBody(draft)),
      ),
    );
  const addMapping = (): void =>
    change({
      ...draft,
      mappings: [
        ...draft.mappings,
        {
          acd: { kind: 'Available' },
          teams: teamsChoices(draft.direction, presences)[0] ?? { availability: 'Available' },
        },
      ],
    });

  return (
    <section aria-labelledby="editor-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="editor-title">
        {existing ? `Edit rule “${existing.name}”` : 'New rule'}
      </Title3>
      <Field label="Rule name" required>
        <Input value={draft.name} onChange={(_e, d) => change({ ...draft, name: d.value })} />
      </Field>
      <Field label="Type">
        <RadioGroup
          layout="horizontal"
          value={draft.direction}
          onChange={(_e, d) => change({ ...draft, direction: d.value as RuleDraft['direction'] })}
        >
          {DIRECTIONS.map(([v, l]) => (
            <Radio key={v} value={v} label={l} />
          ))}
        </RadioGroup>
      </Field>
      <ScopePicker
        scope={draft.scope}
        teams={teams}
        agents={agents}
        onChange={(scope) => change({ ...draft, scope })}
      />
      <Text weight="semibold">Mappings</Text>
      {draft.mappings.length === 0 && <Text>No mapping yet: add one.</Text>}
      {draft.mappings.map((m, i) => (
        <MappingRow
          key={i}
          index={i}
          mapping={m}
          direction={draft.direction}
          teams={scopedTeams}
          presences={presences}
          onChange={(n) => change({ ...draft, mappings: draft.mappings.map((x, j) => (j === i ? n : x)) })}
          onRemove={() => change({ ...draft, mappings: draft.mappings.filter((_x, j) => j !== i) })}
        />
      ))}
      <div>
        <Button onClick={addMapping}>Add mapping</Button>
      </div>
      <Field label="When the user set their Teams status by hand">
        <Select
          value={draft.manualStatusPolicy}
          onChange={(_e, d) => change({ ...draft, manualStatusPolicy: d.value as RuleDraft['manualStatusPolicy'] })}
        >
          <option value="respect">Respect it (do not overwrite)</option>
          <option value="override">Override it</option>
        </Select>
      </Field>
      <div style={{ display: 'flex', gap: 8, alignItems: 'end' }}>
        <Field label="Preview for agent">
          <Select value={target} onChange={(_e, d) => setTarget(d.value)}>
            {agents.map((a) => (
              <option key={a.agentId} value={a.agentId}>
                {a.name || a.agentId}
              </option>
            ))}
          </Select>
        </Field>
        <Button onClick={preview} disabled={busy || !target}>
          Dry run
        </Button>
        <Button appearance="primary" onClick={save} disabled={busy}>
          Save rule
        </Button>
        <Button onClick={props.onCancel}>Cancel</Button>
        {busy && <Spinner size="tiny" label="Working…" />}
      </div>
      {error && (
        <ErrorBar
          title="The rule was not accepted"
          message={[error.message, ...error.errors.map((f) => `${f.pointer}: ${f.detail}`)].join(' · ')}
        />
      )}
      {dryRun && <DryRunResult rows={dryRun} />}
    </section>
  );
}

function DryRunResult(props: { rows: DryRunAgent[] }): ReactNode {
  return (
    <section aria-label="Dry-run result" data-testid="dry-run">
      <Text weight="semibold">Dry run (nothing was changed)</Text>
      <ul>
        {props.rows.map((r) => (
          <li key={r.agentId}>
            {r.agentId}: {r.draftApplies ? 'this rule applies' : 'this rule does not apply'} — {r.explanation}
            {r.decisions.map((d, i) => (
              <div key={i}>
                {d.side === 'acd' ? 'On a CXone change' : 'On a Teams change'}:{' '}
                {d.effects.length
                  ? d.effects.map((e) => String(e['kind'] ?? JSON.stringify(e))).join(', ')
                  : 'no effect'}
              </div>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
