import { Button, Field, Select } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { AcdTeam, Direction, Mapping, Presences, TeamsPattern } from '../types.js';

const ACD_KINDS = [
  'Available',
  'Unavailable',
  'AfterCallWork',
  'InboundContact',
  'OutboundContact',
  'InboundConsult',
  'OutboundConsult',
  'Dialer',
  'LoggedIn',
  'LoggedOut',
] as const;
const KIND_LABEL: Record<string, string> = {
  InboundContact: 'On an inbound call',
  OutboundContact: 'On an outbound call',
  AfterCallWork: 'After call work',
  Dialer: 'Dialer call',
};

const key = (p: TeamsPattern): string => `${p.availability}/${p.activity ?? ''}`;

/**
 * Only presences the rule can use: a publisher sets presence through a Graph session (only the
 * session pairs are settable); a subscriber matches what Teams reports (preferred + session pairs).
 */
export function teamsChoices(direction: Direction, presences: Presences): TeamsPattern[] {
  const all = direction === 'subscriber' ? [...presences.preferred, ...presences.session] : presences.session;
  return all.filter((p, i) => all.findIndex((q) => key(q) === key(p)) === i);
}

/** A subscriber can only put an agent into Available or an unavailable code (the ACD decides the rest). */
export function acdChoices(direction: Direction): readonly string[] {
  return direction === 'subscriber' ? ['Available', 'Unavailable'] : ACD_KINDS;
}

export function MappingRow(props: {
  index: number;
  mapping: Mapping;
  direction: Direction;
  teams: AcdTeam[];
  presences: Presences;
  onChange: (m: Mapping) => void;
  onRemove: () => void;
}): ReactNode {
  const { mapping, index } = props;
  const [firstTeam, ...otherTeams] = props.teams;
  const codes = (firstTeam?.codes ?? []).filter(
    (c) => c.isActive && otherTeams.every((t) => t.codes.some((d) => d.id === c.id)),
  );
  const choices = teamsChoices(props.direction, props.presences);
  const setAcd = (kind: string): void =>
    props.onChange({
      ...mapping,
      acd: kind === 'Unavailable' ? { kind, ...(codes[0] ? { codeId: codes[0].id } : {}) } : { kind },
    });
  return (
    <fieldset
      aria-label={`Mapping ${index + 1}`}
      style={{ display: 'flex', gap: 8, alignItems: 'end', border: 'none', padding: 0 }}
    >
      <Field label={`ACD state ${index + 1}`}>
        <Select value={mapping.acd.kind} onChange={(_e, d) => setAcd(d.value)}>
          {acdChoices(props.direction).map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k] ?? k}
            </option>
          ))}
        </Select>
      </Field>
      {mapping.acd.kind === 'Unavailable' && (
        <Field label={`Unavailable code ${index + 1}`}>
          <Select
            value={mapping.acd.codeId ?? ''}
            onChange={(_e, d) =>
              props.onChange({
                ...mapping,
                acd: d.value ? { kind: 'Unavailable', codeId: d.value } : { kind: 'Unavailable' },
              })
            }
          >
            {props.direction !== 'subscriber' && <option value="">Any unavailable code</option>}
            {codes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field label={`Teams presence ${index + 1}`}>
        <Select
          value={key(mapping.teams)}
          onChange={(_e, d) =>
            props.onChange({ ...mapping, teams: choices.find((c) => key(c) === d.value) ?? mapping.teams })
          }
        >
          {!choices.some((c) => key(c) === key(mapping.teams)) && (
            <option value={key(mapping.teams)}>{key(mapping.teams)} (not valid here)</option>
          )}
          {choices.map((c) => (
            <option key={key(c)} value={key(c)}>
              {c.availability}
              {c.activity && c.activity !== c.availability ? ` / ${c.activity}` : ''}
            </option>
          ))}
        </Select>
      </Field>
      <Button aria-label={`Remove mapping ${index + 1}`} onClick={props.onRemove}>
        Remove
      </Button>
    </fieldset>
  );
}
