import { Checkbox, Field, Radio, RadioGroup } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AcdAgentView, AcdTeam, Scope } from '../types.js';

const toggle = (list: string[], id: string, on: boolean): string[] =>
  on ? [...list, id] : list.filter((x) => x !== id);

/** Scope of a rule: ACD teams or single agents, picked from what CXone lists. */
export function ScopePicker(props: {
  scope: Scope;
  teams: AcdTeam[];
  agents: AcdAgentView[];
  /** The API's problems with the scope (per-field errors under /scope). */
  error?: string | undefined;
  onChange: (s: Scope) => void;
}): ReactNode {
  const { scope } = props;
  return (
    <>
      <Field label="Applies to" validationMessage={props.error}>
        <RadioGroup
          layout="horizontal"
          value={scope.kind}
          onChange={(_e, d) =>
            props.onChange(d.value === 'team' ? { kind: 'team', teamIds: [] } : { kind: 'user', agentIds: [] })
          }
        >
          <Radio value="team" label="Teams (ACD)" />
          <Radio value="user" label="Users" />
        </RadioGroup>
      </Field>
      <fieldset aria-label={scope.kind === 'team' ? 'ACD teams' : 'Agents'} style={{ border: 'none', padding: 0 }}>
        {scope.kind === 'team'
          ? props.teams.map((t) => (
              <Checkbox
                key={t.teamId}
                label={t.teamName}
                checked={scope.teamIds.includes(t.teamId)}
                onChange={(_e, d) =>
                  props.onChange({ kind: 'team', teamIds: toggle(scope.teamIds, t.teamId, Boolean(d.checked)) })
                }
              />
            ))
          : props.agents.map((a) => (
              <Checkbox
                key={a.agentId}
                label={`${a.name || a.agentId} ${a.email ? `(${a.email})` : ''}`}
                checked={scope.agentIds.includes(a.agentId)}
                onChange={(_e, d) =>
                  props.onChange({ kind: 'user', agentIds: toggle(scope.agentIds, a.agentId, Boolean(d.checked)) })
                }
              />
            ))}
      </fieldset>
    </>
  );
}
