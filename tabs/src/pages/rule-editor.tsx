import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Text,
  Title3,
} from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ApiError, fieldError, unplacedErrors } from '../api-client.js';
import { ACD_KINDS, AcdPatternFields } from '../components/acd-pattern-fields.js';
import { ErrorBar } from '../components/async-view.js';
import { NumberField } from '../components/number-field.js';
import { DryRunResult } from '../components/dry-run-result.js';
import { MappingRow, teamsChoices } from '../components/mapping-row.js';
import { ScopePicker } from '../components/scope-picker.js';
import { draftOf, ruleBody, ruleConflicts } from '../rule-body.js';
import type { AcdAgentView, DryRunAgent, Lookups, Rule, RuleDraft } from '../types.js';
import { useApiClient } from '../use-api.js';

export type { Lookups };

const DIRECTIONS = [
  ['publisher', 'Publisher (CXone → Teams)'],
  ['subscriber', 'Subscriber (Teams → CXone)'],
  ['bidirectional', 'Bi-directional'],
] as const;
/** Body fields the form shows; an API problem under any other pointer goes to the error bar. */
const PLACED = ['/name', '/direction', '/scope', '/mappings', '/noSyncStates', '/debounceMs', '/manualStatusPolicy'];
/** The domain's bound (validate-rule.ts DEBOUNCE_MAX_MS): one minute. */
const MAX_DEBOUNCE_MS = 60_000;

/** The agents a draft's scope covers, in the order CXone lists them. */
export function agentsInScope(draft: RuleDraft, agents: AcdAgentView[]): AcdAgentView[] {
  const s = draft.scope;
  return agents.filter((a) => (s.kind === 'team' ? s.teamIds.includes(a.teamId) : s.agentIds.includes(a.agentId)));
}

/** Edit a rule; a dry-run shows what it would do to an agent right now before it is saved. */
export function RuleEditor(props: {
  initial: RuleDraft | Rule;
  lookups: Lookups;
  /** Every saved rule (conflicts are shown before Save). */
  rules: Rule[];
  onSaved: (r: Rule) => void;
  onCancel: () => void;
}): ReactNode {
  const api = useApiClient();
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(props.initial));
  const [pickedTarget, setTarget] = useState('');
  const [dryRun, setDryRun] = useState<DryRunAgent[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [debounceValid, setDebounceValid] = useState(true);
  const existing = 'id' in props.initial ? props.initial : null;
  const { teams, agents, presences } = props.lookups;
  const inScope = agentsInScope(draft, agents);
  // The preview agent: the one picked if the rule still covers them, else the first the rule covers.
  const target = inScope.some((a) => a.agentId === pickedTarget)
    ? pickedTarget
    : (inScope[0]?.agentId ?? (pickedTarget || (agents[0]?.agentId ?? '')));
  // Codes are offered only when every team the rule covers has them (the API refuses the rest).
  const teamIds = new Set(inScope.map((a) => a.teamId));
  if (draft.scope.kind === 'team') draft.scope.teamIds.forEach((t) => teamIds.add(t));
  const scopedTeams = teams.filter((t) => teamIds.has(t.teamId));
  const conflicts = ruleConflicts(draft, existing?.id ?? null, props.rules);
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
          rule: ruleBody(draft),
          target: { kind: 'agent', agentId: target },
          ...(existing ? { ruleId: existing.id } : {}),
        }),
      ),
    );
  const save = () =>
    run(async () =>
      props.onSaved(
        existing
          ? await api.request<Rule>('PUT', `/rules/${existing.id}`, { ...ruleBody(draft), version: existing.version })
          : await api.request<Rule>('POST', '/rules', ruleBody(draft)),
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
  const unplaced = error ? unplacedErrors(error, PLACED) : [];

  return (
    <section aria-labelledby="editor-title" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
      <Title3 as="h2" id="editor-title">
        {existing ? `Edit rule “${existing.name}”` : 'New rule'}
      </Title3>
      <Field label="Rule name" required validationMessage={fieldError(error, '/name')}>
        <Input value={draft.name} onChange={(_e, d) => change({ ...draft, name: d.value })} />
      </Field>
      <Field label="Type" validationMessage={fieldError(error, '/direction')}>
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
        error={fieldError(error, '/scope')}
        onChange={(scope) => change({ ...draft, scope })}
      />
      {conflicts.length > 0 && (
        <MessageBar intent="warning" data-testid="rule-conflicts">
          <MessageBarBody>
            <MessageBarTitle>Save will be refused</MessageBarTitle>
            {conflicts
              .map((c) =>
                c.kind === 'team'
                  ? `Team “${teams.find((t) => t.teamId === c.id)?.teamName ?? c.id}” already follows the team rule “${c.rival}”.`
                  : `Agent “${agents.find((a) => a.agentId === c.id)?.name || c.id}” already has the user rule “${c.rival}”.`,
              )
              .join(' ')}{' '}
            Take it out of this rule or of the other one.
          </MessageBarBody>
        </MessageBar>
      )}
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
          error={fieldError(error, `/mappings/${i}`)}
          onChange={(n) => change({ ...draft, mappings: draft.mappings.map((x, j) => (j === i ? n : x)) })}
          onRemove={() => change({ ...draft, mappings: draft.mappings.filter((_x, j) => j !== i) })}
        />
      ))}
      <div>
        <Button onClick={addMapping}>Add mapping</Button>
      </div>
      <Text weight="semibold">Never sync while the agent is in</Text>
      {draft.noSyncStates.length === 0 && <Text>No such state: every state may sync.</Text>}
      {draft.noSyncStates.map((p, i) => (
        <fieldset
          key={i}
          aria-label={`No-sync entry ${i + 1}`}
          className="ps-row"
          style={{
            display: 'flex',
            flexWrap: 'wrap',
            gap: 8,
            alignItems: 'end',
            border: 'none',
            padding: 0,
            margin: 0,
          }}
        >
          <AcdPatternFields
            label={`No-sync state ${i + 1}`}
            pattern={p}
            kinds={ACD_KINDS}
            teams={scopedTeams}
            anyCode
            error={fieldError(error, `/noSyncStates/${i}`)}
            onChange={(n) => change({ ...draft, noSyncStates: draft.noSyncStates.map((x, j) => (j === i ? n : x)) })}
          />
          <Button
            aria-label={`Remove no-sync state ${i + 1}`}
            onClick={() => change({ ...draft, noSyncStates: draft.noSyncStates.filter((_x, j) => j !== i) })}
          >
            Remove
          </Button>
        </fieldset>
      ))}
      <div>
        <Button onClick={() => change({ ...draft, noSyncStates: [...draft.noSyncStates, { kind: 'LoggedOut' }] })}>
          Add no-sync state
        </Button>
      </div>
      <NumberField
        label="Debounce (ms): a change must hold this long before it is published"
        hint={`0 publishes at once; up to ${MAX_DEBOUNCE_MS} (one minute).`}
        value={draft.debounceMs}
        min={0}
        max={MAX_DEBOUNCE_MS}
        step={100}
        unit="milliseconds"
        error={fieldError(error, '/debounceMs')}
        onValid={(debounceMs) => change({ ...draft, debounceMs })}
        onValidity={setDebounceValid}
      />
      <Field
        label="When the user set their Teams status by hand"
        validationMessage={fieldError(error, '/manualStatusPolicy')}
      >
        <Select
          value={draft.manualStatusPolicy}
          onChange={(_e, d) => change({ ...draft, manualStatusPolicy: d.value as RuleDraft['manualStatusPolicy'] })}
        >
          <option value="respect">Respect it (do not overwrite)</option>
          <option value="override">Override it</option>
        </Select>
      </Field>
      <div className="ps-row" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'end' }}>
        <Field label="Preview for agent">
          <Select
            value={target}
            onChange={(_e, d) => {
              setTarget(d.value);
              setDryRun(null);
            }}
          >
            {inScope.length > 0 && (
              <optgroup label="Covered by this rule">
                {inScope.map((a) => (
                  <option key={a.agentId} value={a.agentId}>
                    {a.name || a.agentId}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label={inScope.length ? 'Other agents' : 'Agents'}>
              {agents
                .filter((a) => !inScope.includes(a))
                .map((a) => (
                  <option key={a.agentId} value={a.agentId}>
                    {a.name || a.agentId}
                  </option>
                ))}
            </optgroup>
          </Select>
        </Field>
        <Button onClick={preview} disabled={busy || !target}>
          Dry run
        </Button>
        <Button appearance="primary" onClick={save} disabled={busy || !debounceValid}>
          Save rule
        </Button>
        <Button onClick={props.onCancel}>Cancel</Button>
        {busy && <Spinner size="tiny" label="Working…" />}
      </div>
      {error && (
        <ErrorBar
          title="The rule was not accepted"
          message={[
            error.errors.length ? `${error.message} The fields concerned say why.` : error.message,
            ...unplaced,
          ].join(' · ')}
        />
      )}
      {dryRun && <DryRunResult rows={dryRun} lookups={props.lookups} />}
    </section>
  );
}
